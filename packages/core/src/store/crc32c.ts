// CRC-32C (Castagnoli), slicing-by-8: Node 20 has no zlib.crc32 and core stays dependency-free.
const TABLES = Array.from({ length: 8 }, () => new Int32Array(256));
const T0 = TABLES[0] as Int32Array;
for (let index = 0; index < 256; index++) {
  let value = index;
  for (let bit = 0; bit < 8; bit++) value = value & 1 ? (value >>> 1) ^ 0x82f63b78 : value >>> 1;
  T0[index] = value;
}
for (let table = 1; table < 8; table++) {
  const previous = TABLES[table - 1] as Int32Array;
  const current = TABLES[table] as Int32Array;
  for (let index = 0; index < 256; index++) current[index] = ((previous[index] as number) >>> 8) ^ (T0[(previous[index] as number) & 0xff] as number);
}
const [, T1, T2, T3, T4, T5, T6, T7] = TABLES as [Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array];

/** CRC-32C of `bytes[start, end)`, continuing from `seed` (a previous result) when given. */
export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length, seed = 0): number {
  let crc = ~seed;
  let index = start;
  for (; index + 8 <= end; index += 8) {
    crc ^= (bytes[index] as number) | ((bytes[index + 1] as number) << 8) | ((bytes[index + 2] as number) << 16) | ((bytes[index + 3] as number) << 24);
    crc =
      (T7[crc & 0xff] as number) ^
      (T6[(crc >>> 8) & 0xff] as number) ^
      (T5[(crc >>> 16) & 0xff] as number) ^
      (T4[crc >>> 24] as number) ^
      (T3[bytes[index + 4] as number] as number) ^
      (T2[bytes[index + 5] as number] as number) ^
      (T1[bytes[index + 6] as number] as number) ^
      (T0[bytes[index + 7] as number] as number);
  }
  for (; index < end; index++) crc = (T0[(crc ^ (bytes[index] as number)) & 0xff] as number) ^ (crc >>> 8);
  return ~crc >>> 0;
}
