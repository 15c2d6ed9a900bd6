import { gunzipSync } from "node:zlib";
import { crc32c } from "@s3notify/core";
import { uncompressSnappy } from "./snappy-block.js";

export interface KafkaRecord {
  readonly offset: bigint;
  readonly timestamp: bigint;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
}

export interface DecodedBatch {
  /** The log offset of the first record (what the producer sent until the broker assigns one). */
  readonly baseOffset: bigint;
  readonly producerId: bigint;
  readonly baseSequence: number;
  readonly compression: number;
  /** Number of records, from the batch header (checked against the records themselves). */
  readonly count: number;
  /** The records, decoded when first asked for. */
  readonly records: readonly KafkaRecord[];
  /** The whole batch as stored (with its assigned base offset), for Fetch responses. */
  readonly bytes: Buffer;
}

export class RecordBatchError extends Error {}

const COMPRESSION_NONE = 0;
const COMPRESSION_GZIP = 1;
const COMPRESSION_SNAPPY = 2;
const HEADER_BYTES = 61;

/**
 * Splits a produce record set into record batches (magic 2), verifies each one's CRC-32C and walks
 * its records (none, gzip or snappy) to check that they are well-formed. The records themselves are
 * decoded only when read: a real broker appends the bytes, it does not build objects per record.
 */
export function decodeRecordBatches(recordSet: Buffer): RecordBatch[] {
  const batches: RecordBatch[] = [];
  let position = 0;
  while (position + 12 <= recordSet.length) {
    const batchLength = recordSet.readInt32BE(position + 8);
    const end = position + 12 + batchLength;
    if (end > recordSet.length) throw new RecordBatchError("truncated record batch");
    batches.push(decodeRecordBatch(recordSet.subarray(position, end)));
    position = end;
  }
  return batches;
}

function decodeRecordBatch(bytes: Buffer): RecordBatch {
  const magic = bytes.readInt8(16);
  if (magic !== 2) throw new RecordBatchError(`unsupported record batch magic ${magic}`);
  const expectedCrc = bytes.readUInt32BE(17);
  const actualCrc = crc32c(bytes.subarray(21));
  if (expectedCrc !== actualCrc) throw new RecordBatchError(`record batch CRC mismatch: ${expectedCrc} != ${actualCrc}`);
  const attributes = bytes.readInt16BE(21);
  const count = bytes.readInt32BE(57);
  const compression = attributes & 0x07;
  let body = bytes.subarray(HEADER_BYTES);
  if (compression === COMPRESSION_GZIP) body = gunzipSync(body);
  else if (compression === COMPRESSION_SNAPPY) body = uncompressSnappy(body);
  else if (compression !== COMPRESSION_NONE) throw new RecordBatchError(`unsupported compression codec ${compression}`);
  checkRecords(body, count);
  return new RecordBatch(bytes, body, compression, count);
}

/** Walks `count` records without decoding them: each must be exactly as long as its length prefix says. */
function checkRecords(body: Buffer, count: number): void {
  const cursor = new VarintCursor(body);
  for (let index = 0; index < count; index++) {
    const length = cursor.varint();
    const start = cursor.offset;
    cursor.skip(1); // attributes
    cursor.varint(); // timestamp delta
    cursor.varint(); // offset delta
    cursor.skipBytes(); // key
    cursor.skipBytes(); // value
    const headerCount = cursor.varint();
    if (headerCount < 0) throw new RecordBatchError("negative header count");
    for (let header = 0; header < headerCount; header++) {
      cursor.skipBytes();
      cursor.skipBytes();
    }
    if (cursor.offset - start !== length) throw new RecordBatchError(`record ${index}: ${cursor.offset - start} bytes, length prefix says ${length}`);
  }
  if (cursor.offset !== body.length) throw new RecordBatchError(`${body.length - cursor.offset} bytes after the last of ${count} records`);
}

/** A stored batch; the base offset lies outside the CRC, so the broker sets it as a real one does. */
export class RecordBatch implements DecodedBatch {
  #records: KafkaRecord[] | undefined;

  constructor(
    readonly bytes: Buffer,
    private readonly body: Buffer,
    readonly compression: number,
    readonly count: number,
  ) {}

  get baseOffset(): bigint {
    return this.bytes.readBigInt64BE(0);
  }
  get producerId(): bigint {
    return this.bytes.readBigInt64BE(43);
  }
  get baseSequence(): number {
    return this.bytes.readInt32BE(53);
  }

  /** Writes the log offset into the stored bytes (the request buffer, which nothing else uses). */
  assignBaseOffset(baseOffset: bigint): void {
    this.bytes.writeBigInt64BE(baseOffset, 0);
    this.#records = undefined;
  }

  get records(): readonly KafkaRecord[] {
    this.#records ??= decodeRecords(this.body, this.count, this.baseOffset, this.bytes.readBigInt64BE(27));
    return this.#records;
  }
}

function decodeRecords(body: Buffer, count: number, baseOffset: bigint, firstTimestamp: bigint): KafkaRecord[] {
  const cursor = new VarintCursor(body);
  const records: KafkaRecord[] = [];
  for (let index = 0; index < count; index++) {
    cursor.varint(); // record length
    cursor.skip(1); // attributes
    const timestampDelta = cursor.varlong();
    const offsetDelta = cursor.varint();
    const key = cursor.varbytes();
    const value = cursor.varbytes();
    const headerCount = cursor.varint();
    const headers: Record<string, string> = {};
    for (let header = 0; header < headerCount; header++) {
      const name = cursor.varbytes()?.toString("utf8") ?? "";
      headers[name] = cursor.varbytes()?.toString("utf8") ?? "";
    }
    records.push({ offset: baseOffset + BigInt(offsetDelta), timestamp: firstTimestamp + timestampDelta, key, value, headers });
  }
  return records;
}

class VarintCursor {
  private position = 0;
  constructor(private readonly buffer: Buffer) {}

  get offset(): number {
    return this.position;
  }
  skip(length: number): void {
    this.position += length;
    if (this.position > this.buffer.length) throw new RecordBatchError("truncated record");
  }
  /** A varbytes field (length -1 is null), skipped. */
  skipBytes(): void {
    const length = this.varint();
    if (length > 0) this.skip(length);
  }
  /** A zigzag varint as a Number (exact up to 2^53; lengths, counts and deltas stay far below). */
  varint(): number {
    let result = 0;
    let multiplier = 1;
    for (let bytes = 0; ; bytes++) {
      if (this.position >= this.buffer.length) throw new RecordBatchError("truncated varint");
      if (bytes === 10) throw new RecordBatchError("varint longer than 10 bytes");
      const byte = this.buffer[this.position++] as number;
      result += (byte & 0x7f) * multiplier;
      if ((byte & 0x80) === 0) break;
      multiplier *= 128;
    }
    return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
  }
  varlong(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.position >= this.buffer.length) throw new RecordBatchError("truncated varint");
      const byte = this.buffer[this.position++] as number;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) break;
      shift += 7n;
    }
    return (result >> 1n) ^ -(result & 1n);
  }
  varbytes(): Buffer | null {
    const length = this.varint();
    if (length < 0) return null;
    const slice = this.buffer.subarray(this.position, this.position + length);
    this.position += length;
    return slice;
  }
}
