import { describe, expect, it } from "vitest";
import { MemoryEventLog } from "./memory-event-log.js";
import { sampleRecord } from "./sample-record.test-helper.js";

describe("MemoryEventLog", () => {
  it("delivers in order per target, and a waiting reader is woken by append", async () => {
    const log = new MemoryEventLog();
    const consumer = log.consumer("1:webhook");
    const waiting = consumer.read(10);
    await log.append([{ record: sampleRecord("a"), targets: ["1:webhook", "2:kafka"] }]);
    const first = await waiting;
    expect(first.map((entry) => entry.record.s3.object.key)).toEqual(["a"]);
    await log.append([
      { record: sampleRecord("b"), targets: ["1:webhook"] },
      { record: sampleRecord("c"), targets: ["2:kafka"] },
    ]);
    expect((await consumer.read(10)).map((entry) => entry.record.s3.object.key)).toEqual(["b"]);
    expect(log.size("2:kafka")).toBe(2);
    expect(log.size("1:webhook")).toBe(2);
    await consumer.ack(first.map((entry) => entry.position));
    expect(log.size("1:webhook")).toBe(1);
  });

  it("refuses a full target with MinIO's message and keeps what it holds", async () => {
    const log = new MemoryEventLog();
    const consumer = log.consumer("1:webhook", { queueLimit: 2 });
    const results = await log.append(["a", "b", "c"].map((key) => ({ record: sampleRecord(key), targets: ["1:webhook", "2:amqp"] })));
    expect(results[2]?.refused).toEqual([{ targetId: "1:webhook", reason: "the maximum store limit reached" }]);
    expect(results[2]?.accepted).toEqual(["2:amqp"]);
    expect((await consumer.read(10)).map((entry) => entry.record.s3.object.key)).toEqual(["a", "b"]);
  });

  it("rewinds to the first unacknowledged entry and a new consumer resumes there", async () => {
    const log = new MemoryEventLog();
    const consumer = log.consumer("1:webhook");
    await log.append(["a", "b", "c"].map((key) => ({ record: sampleRecord(key), targets: ["1:webhook"] })));
    const [a] = await consumer.read(1);
    await consumer.ack([a?.position ?? 0]);
    await consumer.read(2);
    consumer.rewind();
    expect((await consumer.read(5)).map((entry) => entry.record.s3.object.key)).toEqual(["b", "c"]);
    const replacement = log.consumer("1:webhook");
    expect((await replacement.read(5)).map((entry) => entry.record.s3.object.key)).toEqual(["b", "c"]);
    expect(await consumer.read(5)).toEqual([]);
  });

  it("a read resolves with [] when its signal aborts", async () => {
    const log = new MemoryEventLog();
    const controller = new AbortController();
    const waiting = log.consumer("1:webhook").read(5, controller.signal);
    controller.abort();
    expect(await waiting).toEqual([]);
  });
});
