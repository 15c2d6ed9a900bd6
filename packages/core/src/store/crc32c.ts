// CRC-32C (Castagnoli), table-driven: Node 20 has no zlib.crc32 and core stays dependency-free.
const TABLE = new Int32Array(256);
for (let index = 0; index < 256; index++) {
  let value = index;
  for (let bit = 0; bit < 8; bit++) value = value & 1 ? (value >>> 1) ^ 0x82f63b78 : value >>> 1;
  TABLE[index] = value;
}

/** CRC-32C of `bytes[start, end)`, continuing from `seed` (a previous result) when given. */
export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length, seed = 0): number {
  let crc = ~seed;
  for (let index = start; index < end; index++) crc = (TABLE[(crc ^ (bytes[index] as number)) & 0xff] as number) ^ (crc >>> 8);
  return ~crc >>> 0;
}
