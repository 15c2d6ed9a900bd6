import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { chaosTarget, recordingTarget } from "../../../testkit/src/chaos-target.js";
import { permanentError, retryableError, TargetBatchError } from "../errors/target-error.js";
import type { EventLog, LogConsumer } from "../store/event-log.js";
import { FileEventLog } from "../store/file-event-log.js";
import { MemoryEventLog } from "../store/memory-event-log.js";
import { keysOf, sampleRecord } from "../store/sample-record.test-helper.js";
import type { EventRecord, Target } from "../types.js";
import { TargetRunner } from "./target-runner.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function startRunner(log: EventLog, target: Target, targetId = "1:test", options: Partial<ConstructorParameters<typeof TargetRunner>[0]> = {}): TargetRunner {
  const runner = new TargetRunner({
    target,
    targetId,
    arn: `arn:minio:sqs::${targetId.replace(":", ":")}`,
    consumer: log.consumer(targetId),
    durable: log instanceof FileEventLog,
    retry: { initialDelayMs: 1, maxDelayMs: 5 },
    ...options,
  });
  runner.start();
  cleanups.push(() => runner.close(1_000));
  return runner;
}

async function publish(log: EventLog, keys: readonly string[], targets = ["1:test"]): Promise<void> {
  await log.append(keys.map((key) => ({ record: sampleRecord(key), targets })));
}

const keys = (count: number, prefix = "k"): string[] => Array.from({ length: count }, (_unused, index) => `${prefix}${index}`);

describe("TargetRunner", () => {
  it("retries retryable failures with growing backoff, then delivers everything in order", async () => {
    const log = new MemoryEventLog();
    const inner = recordingTarget({ id: "1", type: "test" }, { maxBatchSize: 3 });
    const target = chaosTarget(inner);
    target.failNext(3);
    const started = Date.now();
    const runner = startRunner(log, target, "1:test", { retry: { initialDelayMs: 10, maxDelayMs: 1_000 }, random: () => 1 });
    await publish(log, keys(7));
    await inner.waitFor(7);
    // Full jitter at its ceiling: 10 + 20 + 40 ms before the fourth attempt.
    expect(Date.now() - started).toBeGreaterThanOrEqual(70);
    expect(keysOf(inner.records.map((record) => ({ record })))).toEqual(keys(7));
    expect(await runner.whenIdle(5_000)).toBe(true);
    const stats = runner.stats();
    expect(stats).toMatchObject({ sent: 7, failed: 3, deadLettered: 0, queued: 0, active: true });
    expect(stats.retried).toBeGreaterThanOrEqual(3);
    expect(stats.lastError).toContain("chaos: backend unavailable");
  });

  it("dead-letters only the record the target refuses and delivers the rest of the batch in order", async () => {
    const log = new MemoryEventLog();
    const inner = recordingTarget({ id: "1", type: "test" }, { maxBatchSize: 8 });
    const target = chaosTarget(inner);
    target.rejectWhen((record) => record.s3.object.key === "k5", "400 Bad Request: mapping conflict");
    const runner = startRunner(log, target);
    await publish(log, keys(8));
    await publish(log, ["after"]);
    await inner.waitFor(8);
    expect(await runner.whenIdle(5_000)).toBe(true);
    expect(inner.records.map((record) => record.s3.object.key)).toEqual([...keys(8).filter((key) => key !== "k5"), "after"]);
    expect(log.deadLetters.map((letter) => letter.record.s3.object.key)).toEqual(["k5"]);
    expect(log.deadLetters[0]?.reason).toContain("mapping conflict");
    expect(runner.stats()).toMatchObject({ sent: 8, deadLettered: 1, dropped: 1, queued: 0 });
  });

  it("keeps what a partial batch delivered (TargetBatchError) and sends only the rest again", async () => {
    const log = new MemoryEventLog();
    const inner = recordingTarget({ id: "1", type: "test" }, { maxBatchSize: 10 });
    const target = chaosTarget(inner);
    target.closeMidBatch(4);
    const runner = startRunner(log, target);
    await publish(log, keys(10));
    await inner.waitFor(10);
    expect(await runner.whenIdle(5_000)).toBe(true);
    expect(inner.records.map((record) => record.s3.object.key)).toEqual(keys(10));
    expect(inner.batches[0]).toHaveLength(4);
    expect(runner.stats()).toMatchObject({ sent: 10, failed: 1, retried: 6 });
  });

  it("after a permanent partial failure narrows the undelivered records down and dead-letters only those refused on their own", async () => {
    const log = new MemoryEventLog();
    const inner = recordingTarget({ id: "1", type: "test" }, { maxBatchSize: 6 });
    const target = chaosTarget(inner);
    target.closeMidBatch(2, { retryable: false });
    const runner = startRunner(log, target);
    await publish(log, keys(6));
    await inner.waitFor(6);
    expect(await runner.whenIdle(5_000)).toBe(true);
    expect(inner.records.map((record) => record.s3.object.key)).toEqual(keys(6));
    expect(log.deadLetters).toEqual([]);

    target.closeMidBatch(3, { retryable: false });
    await publish(log, keys(4, "m"));
    await inner.waitFor(9);
    expect(await runner.whenIdle(5_000)).toBe(true);
    // Only m3 was left undelivered by the permanent partial failure: it is the record the target refused.
    expect(inner.records.slice(6).map((record) => record.s3.object.key)).toEqual(["m0", "m1", "m2"]);
    expect(log.deadLetters.map((letter) => letter.record.s3.object.key)).toEqual(["m3"]);
  });

  it("when a dead letter cannot be written, reads the record again later instead of leaving it behind", async () => {
    const log = new MemoryEventLog();
    const consumer = log.consumer("1:test");
    let failures = 1;
    const flaky: LogConsumer = {
      targetId: consumer.targetId,
      read: (max, signal) => consumer.read(max, signal),
      ack: (positions) => consumer.ack(positions),
      async deadLetter(entry, reason) {
        if (failures-- > 0) throw new Error("EIO: dead-letters/1:test.jsonl");
        await consumer.deadLetter(entry, reason);
      },
      rewind: () => consumer.rewind(),
      pending: () => consumer.pending(),
      close: () => consumer.close(),
    };
    const inner = recordingTarget({ id: "1", type: "test" }, { maxBatchSize: 4 });
    const target = chaosTarget(inner);
    target.rejectWhen((record) => record.s3.object.key === "bad");
    const runner = new TargetRunner({ target, targetId: "1:test", arn: "arn", consumer: flaky, durable: false, retry: { initialDelayMs: 1, maxDelayMs: 2 } });
    runner.start();
    cleanups.push(() => runner.close(1_000));
    await publish(log, ["a", "bad", "c"]);
    expect(await runner.whenIdle(5_000)).toBe(true);
    expect(inner.records.map((record) => record.s3.object.key)).toEqual(["a", "c"]);
    expect(log.deadLetters.map((letter) => letter.record.s3.object.key)).toEqual(["bad"]);
  });

  it("sets a record larger than maxPayloadBytes aside without sending it", async () => {
    const log = new MemoryEventLog();
    const inner = recordingTarget({ id: "1", type: "test" }, { maxBatchSize: 5, maxPayloadBytes: 800 });
    const runner = startRunner(log, inner);
    await publish(log, ["small", "x".repeat(1_000), "small2"]);
    await inner.waitFor(2);
    expect(await runner.whenIdle(5_000)).toBe(true);
    expect(inner.records.map((record) => record.s3.object.key)).toEqual(["small", "small2"]);
    expect(log.deadLetters[0]?.reason).toMatch(/exceeds the target's limit of 800 bytes/);
  });

  it("sets events aside after maxAttempts retryable failures when a limit is configured", async () => {
    const log = new MemoryEventLog();
    const inner = recordingTarget({ id: "1", type: "test" });
    const target = chaosTarget(inner);
    target.failNext(3);
    const runner = startRunner(log, target, "1:test", { retry: { initialDelayMs: 1, maxDelayMs: 2, maxAttempts: 3 } });
    await publish(log, ["doomed", "fine"]);
    await inner.waitFor(1);
    expect(await runner.whenIdle(5_000)).toBe(true);
    expect(inner.records.map((record) => record.s3.object.key)).toEqual(["fine"]);
    expect(log.deadLetters[0]?.reason).toMatch(/gave up after 3 attempts/);
  });

  it("keeps opening a target that is down at start, then delivers what queued meanwhile", async () => {
    const log = new MemoryEventLog();
    const inner = recordingTarget({ id: "1", type: "test" });
    const target = chaosTarget(inner);
    target.failOpen(4);
    const runner = startRunner(log, target);
    await publish(log, keys(3));
    await inner.waitFor(3);
    expect(target.counts.opens).toBe(5);
    expect(runner.stats().active).toBe(true);
  });

  it("a stalled target blocks neither appends nor another target", async () => {
    const log = new MemoryEventLog();
    const stalledInner = recordingTarget({ id: "1", type: "test" });
    const stalled = chaosTarget(stalledInner);
    const healthy = recordingTarget({ id: "2", type: "test" });
    stalled.stall();
    const stalledAt = stalled.whenStalled();
    startRunner(log, stalled, "1:test");
    startRunner(log, healthy, "2:test");
    await publish(log, keys(50), ["1:test", "2:test"]);
    await stalledAt;
    await healthy.waitFor(50);
    expect(log.size("1:test")).toBe(50);
    stalled.release();
    await stalledInner.waitFor(50);
  });

  it("close leaves an in-flight batch in the file log, and a new runner on the same dir delivers it exactly from there", async () => {
    const directory = await mkdtemp(join(tmpdir(), "s3notify-runner-"));
    cleanups.push(() => rm(directory, { recursive: true, force: true }));
    const first = await FileEventLog.open(directory);
    const inner = recordingTarget({ id: "1", type: "test" }, { maxBatchSize: 2 });
    const target = chaosTarget(inner);
    const runner = new TargetRunner({ target, targetId: "1:test", arn: "arn", consumer: first.consumer("1:test"), durable: true });
    runner.start();
    await publish(first, ["a", "b"]);
    await inner.waitFor(2);
    target.stall();
    const stalledAt = target.whenStalled();
    await publish(first, ["c", "d", "e"]);
    await stalledAt;
    const result = await runner.close(50);
    expect(result).toEqual({ persisted: 3, dropped: 0 });
    await first.close();
    target.release();

    const second = await FileEventLog.open(directory);
    cleanups.push(() => second.close());
    const replay = recordingTarget({ id: "1", type: "test" }, { maxBatchSize: 2 });
    startRunner(second, replay);
    await replay.waitFor(3);
    expect(replay.records.map((record) => record.s3.object.key)).toEqual(["c", "d", "e"]);
  });

  it("reads the next batch while one is on the wire; stopped mid-retry, it leaves that read-ahead batch pending, not skipped", async () => {
    const directory = await mkdtemp(join(tmpdir(), "s3notify-runner-"));
    cleanups.push(() => rm(directory, { recursive: true, force: true }));
    const first = await FileEventLog.open(directory);
    const consumer = first.consumer("1:test");
    const reads: string[][] = [];
    const spy: LogConsumer = {
      targetId: consumer.targetId,
      read: async (max, signal) => {
        const entries = await consumer.read(max, signal);
        reads.push(keysOf(entries));
        return entries;
      },
      ack: (positions) => consumer.ack(positions),
      deadLetter: (entry, reason) => consumer.deadLetter(entry, reason),
      rewind: () => consumer.rewind(),
      pending: () => consumer.pending(),
      close: () => consumer.close(),
    };
    const inner = recordingTarget({ id: "1", type: "test" }, { maxBatchSize: 2 });
    const target = chaosTarget(inner);
    const runner = new TargetRunner({ target, targetId: "1:test", arn: "arn", consumer: spy, durable: true, retry: { initialDelayMs: 1, maxDelayMs: 2 } });
    runner.start();
    await expect.poll(() => runner.stats().active).toBe(true);
    target.stall();
    const stalled = target.whenStalled();
    await publish(first, keys(6));
    await stalled;
    // The first batch is stuck in send(); the second is already read.
    await expect
      .poll(() => reads)
      .toEqual([
        ["k0", "k1"],
        ["k2", "k3"],
      ]);
    target.failNext(1_000_000);
    target.release();
    await expect.poll(() => runner.stats().retried).toBeGreaterThan(2);
    expect(await runner.close(50)).toEqual({ persisted: 6, dropped: 0 });
    await first.close();

    const second = await FileEventLog.open(directory);
    cleanups.push(() => second.close());
    const replay = recordingTarget({ id: "1", type: "test" }, { maxBatchSize: 4 });
    startRunner(second, replay);
    await replay.waitFor(6);
    expect(replay.records.map((record) => record.s3.object.key)).toEqual(keys(6));
  });

  it("writes file-log dead letters to dead-letters/<target>.jsonl", async () => {
    const directory = await mkdtemp(join(tmpdir(), "s3notify-runner-"));
    cleanups.push(() => rm(directory, { recursive: true, force: true }));
    const log = await FileEventLog.open(directory);
    cleanups.push(() => log.close());
    const inner = recordingTarget({ id: "1", type: "test" }, { maxBatchSize: 4 });
    const target = chaosTarget(inner);
    target.rejectWhen((record) => record.s3.object.key === "bad");
    const runner = startRunner(log, target);
    await publish(log, ["a", "bad", "c"]);
    await inner.waitFor(2);
    expect(await runner.whenIdle(5_000)).toBe(true);
    const letters = (await readFile(join(directory, "dead-letters", "1:test.jsonl"), "utf8")).trim().split("\n");
    expect(letters.map((line) => (JSON.parse(line) as { record: { s3: { object: { key: string } } } }).record.s3.object.key)).toEqual(["bad"]);
  });

  it("close of a memory runner drains within the timeout and reports what it drops", async () => {
    const log = new MemoryEventLog();
    const inner = recordingTarget({ id: "1", type: "test" });
    const target = chaosTarget(inner);
    const runner = new TargetRunner({ target, targetId: "1:test", arn: "arn", consumer: log.consumer("1:test"), durable: false });
    runner.start();
    await publish(log, keys(5));
    expect(await runner.close(2_000)).toEqual({ persisted: 0, dropped: 0 });
    expect(inner.records).toHaveLength(5);

    const stuckLog = new MemoryEventLog();
    const stuck = chaosTarget(recordingTarget({ id: "2", type: "test" }));
    stuck.stall();
    const stuckRunner = new TargetRunner({ target: stuck, targetId: "2:test", arn: "arn", consumer: stuckLog.consumer("2:test"), durable: false });
    stuckRunner.start();
    await publish(stuckLog, keys(4), ["2:test"]);
    expect(await stuckRunner.close(100)).toEqual({ persisted: 0, dropped: 4 });
    expect(stuckRunner.stats().dropped).toBe(4);
    stuck.release();
  });

  it("under random retryable, partial and permanent failures delivers every other event exactly once, in order, and frees the segments", async () => {
    const directory = await mkdtemp(join(tmpdir(), "s3notify-runner-"));
    cleanups.push(() => rm(directory, { recursive: true, force: true }));
    const log = await FileEventLog.open(directory, { segmentBytes: 8 * 1024 });
    cleanups.push(() => log.close());
    let seed = 42;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const poisoned = new Set(["k17", "k222", "k223", "k499"]);
    const delivered: string[] = [];
    const target: Target = {
      id: { id: "1", type: "test" },
      capabilities: { maxBatchSize: 16, ordered: true },
      async open() {},
      async isActive() {
        return true;
      },
      async close() {},
      async send(batch: readonly EventRecord[]) {
        const dice = random();
        const bad = batch.findIndex((record) => poisoned.has(record.s3.object.key));
        if (dice < 0.15) throw retryableError("flaky network");
        if (dice < 0.3 && batch.length > 1) {
          // A partial delivery stops before a record the backend refuses.
          const count = Math.min(Math.floor(random() * batch.length), bad === -1 ? batch.length : bad);
          for (const record of batch.slice(0, count)) delivered.push(record.s3.object.key);
          throw new TargetBatchError("connection reset", { delivered: batch.slice(0, count).map((_record, index) => index), retryable: true });
        }
        if (bad !== -1) throw permanentError(`refused ${batch[bad]?.s3.object.key}`);
        for (const record of batch) delivered.push(record.s3.object.key);
      },
    };
    const runner = startRunner(log, target, "1:test", { retry: { initialDelayMs: 1, maxDelayMs: 2 }, random });
    const all = keys(600);
    for (let index = 0; index < all.length; index += 50) await publish(log, all.slice(index, index + 50));
    const deadline = Date.now() + 20_000;
    while (log.size("1:test") > 0 && Date.now() < deadline) await runner.whenIdle(deadline - Date.now());
    expect(delivered).toEqual(all.filter((key) => !poisoned.has(key)));
    expect(runner.stats()).toMatchObject({ sent: 596, deadLettered: 4, queued: 0 });
    expect(log.stats().segments).toBe(1);
  });
});
