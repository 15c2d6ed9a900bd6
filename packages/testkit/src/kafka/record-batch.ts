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
  readonly baseOffset: bigint;
  readonly producerId: bigint;
  readonly baseSequence: number;
  readonly compression: number;
  readonly records: KafkaRecord[];
  /** The whole batch as sent, for Fetch responses. */
  readonly bytes: Buffer;
}

export class RecordBatchError extends Error {}

const COMPRESSION_NONE = 0;
const COMPRESSION_GZIP = 1;
const COMPRESSION_SNAPPY = 2;
const HEADER_BYTES = 61;

/** Splits a produce record set into record batches (magic 2) and decodes each (none, gzip or snappy), verifying its CRC-32C. */
export function decodeRecordBatches(recordSet: Buffer): DecodedBatch[] {
  const batches: DecodedBatch[] = [];
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

function decodeRecordBatch(bytes: Buffer): DecodedBatch {
  const magic = bytes.readInt8(16);
  if (magic !== 2) throw new RecordBatchError(`unsupported record batch magic ${magic}`);
  const expectedCrc = bytes.readUInt32BE(17);
  const actualCrc = crc32c(bytes.subarray(21));
  if (expectedCrc !== actualCrc) throw new RecordBatchError(`record batch CRC mismatch: ${expectedCrc} != ${actualCrc}`);
  const baseOffset = bytes.readBigInt64BE(0);
  const attributes = bytes.readInt16BE(21);
  const firstTimestamp = bytes.readBigInt64BE(27);
  const producerId = bytes.readBigInt64BE(43);
  const baseSequence = bytes.readInt32BE(53);
  const count = bytes.readInt32BE(57);
  const compression = attributes & 0x07;
  let body = bytes.subarray(HEADER_BYTES);
  if (compression === COMPRESSION_GZIP) body = gunzipSync(body);
  else if (compression === COMPRESSION_SNAPPY) body = uncompressSnappy(body);
  else if (compression !== COMPRESSION_NONE) throw new RecordBatchError(`unsupported compression codec ${compression}`);
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
  return { baseOffset, producerId, baseSequence, compression, records, bytes };
}

/** Gives a stored batch its log offset (baseOffset lies outside the CRC, as in a real broker). */
export function withBaseOffset(batch: DecodedBatch, baseOffset: bigint): DecodedBatch {
  const bytes = Buffer.from(batch.bytes);
  bytes.writeBigInt64BE(baseOffset, 0);
  const shift = baseOffset - batch.baseOffset;
  return { ...batch, baseOffset, bytes, records: batch.records.map((record) => ({ ...record, offset: record.offset + shift })) };
}

class VarintCursor {
  private position = 0;
  constructor(private readonly buffer: Buffer) {}

  skip(length: number): void {
    this.position += length;
  }
  varint(): number {
    return Number(this.varlong());
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
