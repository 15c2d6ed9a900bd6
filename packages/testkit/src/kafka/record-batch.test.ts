import { crc32c } from "@s3notify/core";
import { describe, expect, it } from "vitest";
import { decodeRecordBatches, RecordBatchError } from "./record-batch.js";

// Record batches built by hand (Kafka's v2 layout), to check what the broker accepts and how it reads
// them back; the real clients (kafkajs, kcat) are covered by kafka-test-broker.test.ts.

function varint(value: number): number[] {
  let zigzag = value >= 0 ? value * 2 : -value * 2 - 1;
  const bytes: number[] = [];
  while (zigzag >= 0x80) {
    bytes.push((zigzag % 0x80) | 0x80);
    zigzag = Math.floor(zigzag / 0x80);
  }
  bytes.push(zigzag);
  return bytes;
}

function varbytes(text: string | null): number[] {
  if (text === null) return varint(-1);
  const bytes = [...Buffer.from(text, "utf8")];
  return [...varint(bytes.length), ...bytes];
}

function record(offsetDelta: number, key: string | null, value: string, lengthAdjustment = 0): number[] {
  const body = [0, ...varint(offsetDelta * 10), ...varint(offsetDelta), ...varbytes(key), ...varbytes(value), ...varint(1), ...varbytes("h"), ...varbytes("v")];
  return [...varint(body.length + lengthAdjustment), ...body];
}

/** A magic-2 batch of `records` (uncompressed), with a correct CRC unless told otherwise. */
function batch(records: number[][], options: { trailing?: number[]; badCrc?: boolean } = {}): Buffer {
  const body = Buffer.from([...records.flat(), ...(options.trailing ?? [])]);
  const header = Buffer.alloc(61);
  header.writeBigInt64BE(0n, 0); // base offset
  header.writeInt32BE(61 - 12 + body.length, 8); // batch length
  header.writeInt32BE(0, 12); // partition leader epoch
  header.writeInt8(2, 16); // magic
  header.writeInt16BE(0, 21); // attributes: no compression
  header.writeInt32BE(records.length - 1, 23); // last offset delta
  header.writeBigInt64BE(1_700_000_000_000n, 27); // first timestamp
  header.writeBigInt64BE(1_700_000_000_000n, 35); // max timestamp
  header.writeBigInt64BE(-1n, 43); // producer id
  header.writeInt16BE(-1, 51); // producer epoch
  header.writeInt32BE(-1, 53); // base sequence
  header.writeInt32BE(records.length, 57);
  const bytes = Buffer.concat([header, body]);
  bytes.writeUInt32BE((crc32c(bytes, 21) + (options.badCrc ? 1 : 0)) >>> 0, 17);
  return bytes;
}

describe("decodeRecordBatches", () => {
  it("reads back keys, values, headers, offsets and timestamps once the broker assigns the base offset", () => {
    const [decoded] = decodeRecordBatches(batch([record(0, "photos/a.jpg", '{"n":1}'), record(1, null, '{"n":2}')]));
    expect(decoded?.count).toBe(2);
    decoded?.assignBaseOffset(40n);
    expect(decoded?.bytes.readBigInt64BE(0)).toBe(40n);
    expect(decoded?.records.map((entry) => [entry.offset, entry.timestamp, entry.key?.toString() ?? null, entry.value?.toString(), entry.headers])).toEqual([
      [40n, 1_700_000_000_000n, "photos/a.jpg", '{"n":1}', { h: "v" }],
      [41n, 1_700_000_000_010n, null, '{"n":2}', { h: "v" }],
    ]);
  });

  it("refuses a batch whose CRC does not match", () => {
    expect(() => decodeRecordBatches(batch([record(0, "k", "v")], { badCrc: true }))).toThrow(/CRC mismatch/);
  });

  it("refuses a batch with a correct CRC but a record whose length prefix is wrong", () => {
    expect(() => decodeRecordBatches(batch([record(0, "k", "v"), record(1, "k", "v", 1)]))).toThrow(RecordBatchError);
  });

  it("refuses bytes after the last record the header counts", () => {
    expect(() => decodeRecordBatches(batch([record(0, "k", "v")], { trailing: [0, 0, 0] }))).toThrow(/after the last of 1 records/);
  });
});
