import { spawn } from "node:child_process";
import { appendFile, mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { logEnvelopeJson, recordsJson, toLogEnvelope } from "../event/envelope.js";
import { goJson } from "../event/go-json.js";
import { recordJson } from "../event/record-json.js";
import type { EventRecord } from "../types.js";
import { readDeadLetters } from "./dead-letters.js";
import { FileEventLog } from "./file-event-log.js";
import { keysOf, sampleRecord } from "./sample-record.test-helper.js";

const repositoryRoot = fileURLToPath(new URL("../../../../", import.meta.url));
const logModule = fileURLToPath(new URL("./file-event-log.ts", import.meta.url));

let directory: string;
const opened: FileEventLog[] = [];

async function openLog(options: Parameters<typeof FileEventLog.open>[1] = {}): Promise<FileEventLog> {
  const log = await FileEventLog.open(directory, options);
  opened.push(log);
  return log;
}

async function segmentFiles(): Promise<string[]> {
  return (await readdir(join(directory, "segments"))).sort();
}

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), "s3notify-log-"));
});

afterEach(async () => {
  for (const log of opened.splice(0)) await log.close();
  await rm(directory, { recursive: true, force: true });
});

describe("FileEventLog", () => {
  it("writes once for every target, and each target resumes from its own acknowledged position after a restart", async () => {
    const first = await openLog();
    await first.append(["a", "b", "c", "d"].map((key) => ({ record: sampleRecord(key), targets: ["1:webhook", "2:kafka"] })));
    expect(first.stats().appended).toBe(4);
    const webhook = first.consumer("1:webhook");
    const kafka = first.consumer("2:kafka");
    const read = await webhook.read(3);
    expect(keysOf(read)).toEqual(["a", "b", "c"]);
    await webhook.ack(read.map((entry) => entry.position));
    const kafkaRead = await kafka.read(1);
    await kafka.ack(kafkaRead.map((entry) => entry.position));
    await first.close();

    const second = await openLog();
    expect(second.size("1:webhook")).toBe(1);
    expect(second.size("2:kafka")).toBe(3);
    expect(keysOf(await second.consumer("1:webhook").read(10))).toEqual(["d"]);
    expect(keysOf(await second.consumer("2:kafka").read(10))).toEqual(["b", "c", "d"]);
    expect(second.stats().corruptFrames).toBe(0);
  });

  it("stores each record as goJson writes it and hands it back so that targets serialize it byte-identically", async () => {
    const first = await openLog();
    const tricky = { ...sampleRecord("a<b>&c"), source: { host: "h", port: "", userAgent: "ua\u2028<x>" } };
    await first.append([{ record: tricky, targets: ["1:webhook"] }]);
    await first.close();
    const segment = (await segmentFiles())[0] as string;
    expect(await readFile(join(directory, "segments", segment), "utf8")).toContain(recordJson(tricky));

    const second = await openLog();
    const [entry] = await second.consumer("1:webhook").read(1);
    expect(entry?.record).toEqual(tricky);
    expect(recordsJson(entry?.record as EventRecord)).toBe(goJson({ Records: [tricky] }));
    expect(logEnvelopeJson(entry?.record as EventRecord)).toBe(goJson(toLogEnvelope(tricky)));
  });

  it("saves only the contiguous acknowledged prefix: an entry acknowledged out of order may come back, an unacknowledged one always does", async () => {
    const first = await openLog();
    await first.append(["a", "b", "c", "d"].map((key) => ({ record: sampleRecord(key), targets: ["1:webhook"] })));
    const consumer = first.consumer("1:webhook");
    const [a, , c] = await consumer.read(3);
    await consumer.ack([a?.position ?? 0, c?.position ?? 0]);
    expect(consumer.pending()).toBe(2);
    await first.close();
    opened.length = 0;
    const second = await openLog();
    expect(keysOf(await second.consumer("1:webhook").read(10))).toEqual(["b", "c", "d"]);
  });

  it("coalesces concurrent appends into few writes (group commit) and keeps their order", async () => {
    const log = await openLog();
    const results = await Promise.all(
      Array.from({ length: 64 }, (_unused, index) => log.append([{ record: sampleRecord(`k${index}`), targets: ["1:webhook"] }])),
    );
    const positions = results.map((result) => result[0]?.position ?? 0);
    expect(positions).toEqual([...positions].sort((left, right) => left - right));
    expect(log.stats().commits).toBeLessThan(64);
    expect(keysOf(await log.consumer("1:webhook").read(100))).toEqual(Array.from({ length: 64 }, (_unused, index) => `k${index}`));
  });

  it("deletes a segment once every target has passed it, not before", async () => {
    const log = await openLog({ segmentBytes: 2048 });
    for (let index = 0; index < 20; index++) await log.append([{ record: sampleRecord(`k${index}`), targets: ["1:webhook", "2:kafka"] }]);
    const before = await segmentFiles();
    expect(before.length).toBeGreaterThan(3);
    const webhook = log.consumer("1:webhook");
    const kafka = log.consumer("2:kafka");
    await webhook.ack((await webhook.read(20)).map((entry) => entry.position));
    expect(await segmentFiles()).toEqual(before);
    const kafkaEntries = await kafka.read(20);
    await kafka.ack(kafkaEntries.slice(0, 10).map((entry) => entry.position));
    const deadline = Date.now() + 5_000;
    let after = await segmentFiles();
    while (after.length === before.length && Date.now() < deadline) {
      await new Promise((resolve) => setImmediate(resolve));
      after = await segmentFiles();
    }
    expect(after.length).toBeLessThan(before.length);
    expect(after.at(-1)).toBe(before.at(-1));
    await log.close();
    opened.length = 0;
    const reopened = await openLog({ segmentBytes: 2048 });
    expect(keysOf(await reopened.consumer("2:kafka").read(20))).toEqual(Array.from({ length: 10 }, (_unused, index) => `k${index + 10}`));
    expect(reopened.size("1:webhook")).toBe(0);
  });

  it("sets a corrupt frame aside in corrupt/ and still reads the frames after it", async () => {
    const log = await openLog();
    for (const key of ["a", "b", "c"]) await log.append([{ record: sampleRecord(key), targets: ["1:webhook"] }]);
    await log.close();
    opened.length = 0;
    const [segment] = await segmentFiles();
    const path = join(directory, "segments", segment as string);
    const bytes = await readFile(path);
    const frameSize = bytes.length / 3;
    const damaged = Math.floor(frameSize * 1.5);
    bytes[damaged] = (bytes[damaged] as number) ^ 0xff;
    await writeFile(path, bytes);

    const reopened = await openLog();
    expect(keysOf(await reopened.consumer("1:webhook").read(10))).toEqual(["a", "c"]);
    expect(reopened.stats().corruptFrames).toBe(1);
    const corrupt = await readdir(join(directory, "corrupt"));
    expect(corrupt).toHaveLength(1);
    expect((await stat(join(directory, "corrupt", corrupt[0] as string))).size).toBe(frameSize);
  });

  it("sets aside a frame that rots on disk after start-up when it is read, for every target", async () => {
    const first = await openLog();
    for (const key of ["a", "b", "c"]) await first.append([{ record: sampleRecord(key), targets: ["1:webhook", "2:kafka"] }]);
    await first.close();
    opened.length = 0;
    const log = await openLog();
    const [segment] = await segmentFiles();
    const path = join(directory, "segments", segment as string);
    const bytes = await readFile(path);
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = (bytes[middle] as number) ^ 0x01;
    await writeFile(path, bytes);
    expect(keysOf(await log.consumer("1:webhook").read(10))).toEqual(["a", "c"]);
    expect(log.stats().corruptFrames).toBe(1);
    expect(log.size("2:kafka")).toBe(2);
    expect(keysOf(await log.consumer("2:kafka").read(10))).toEqual(["a", "c"]);
    expect(await readdir(join(directory, "corrupt"))).toHaveLength(1);
  });

  it("detects a torn tail, moves it aside and keeps appending after the last valid frame", async () => {
    const log = await openLog();
    for (const key of ["a", "b"]) await log.append([{ record: sampleRecord(key), targets: ["1:webhook"] }]);
    await log.close();
    opened.length = 0;
    const [segment] = await segmentFiles();
    const path = join(directory, "segments", segment as string);
    const size = (await stat(path)).size;
    await truncate(path, size - 7);
    await appendFile(path, Buffer.from([1, 2, 3]));

    const reopened = await openLog();
    expect(reopened.stats().corruptFrames).toBe(1);
    await reopened.append([{ record: sampleRecord("c"), targets: ["1:webhook"] }]);
    await reopened.close();
    opened.length = 0;
    const third = await openLog();
    expect(keysOf(await third.consumer("1:webhook").read(10))).toEqual(["a", "c"]);
    expect(third.stats().corruptFrames).toBe(0);
  });

  it("refuses appends for a full target with S3NOTIFY_ERR_STORE_FULL's message, keeps every accepted entry", async () => {
    const log = await openLog();
    const consumer = log.consumer("1:webhook", { queueLimit: 3 });
    const results = await Promise.all(["a", "b", "c", "d", "e"].map((key) => log.append([{ record: sampleRecord(key), targets: ["1:webhook", "2:kafka"] }])));
    const refusals = results.flatMap((result) => result[0]?.refused ?? []);
    expect(refusals).toEqual([
      { targetId: "1:webhook", reason: "the maximum store limit reached" },
      { targetId: "1:webhook", reason: "the maximum store limit reached" },
    ]);
    expect(log.stats().refused).toBe(2);
    expect(log.size("2:kafka")).toBe(5);
    const entries = await consumer.read(10);
    expect(keysOf(entries)).toEqual(["a", "b", "c"]);
    await consumer.ack([entries[0]?.position ?? 0]);
    const [after] = await log.append([{ record: sampleRecord("f"), targets: ["1:webhook"] }]);
    expect(after?.accepted).toEqual(["1:webhook"]);
  });

  it("a failed write rejects its appends, leaves no partial frame and frees their room; later appends work", async () => {
    const log = await openLog();
    log.consumer("1:webhook", { queueLimit: 2 });
    await log.append([{ record: sampleRecord("a"), targets: ["1:webhook"] }]);
    // Simulate a full disk for one write: half the frame lands, then the call fails.
    const handle = (log as unknown as { activeHandle: { writev: (buffers: Buffer[], position: number) => Promise<unknown> } }).activeHandle;
    const writev = handle.writev.bind(handle);
    handle.writev = async (buffers, position) => {
      handle.writev = writev;
      const first = buffers[0] as Buffer;
      await writev([first.subarray(0, first.length >> 1)], position);
      throw Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" });
    };
    await expect(log.append([{ record: sampleRecord("lost"), targets: ["1:webhook"] }])).rejects.toThrow(/ENOSPC/);
    const [after] = await log.append([{ record: sampleRecord("b"), targets: ["1:webhook"] }]);
    expect(after?.accepted).toEqual(["1:webhook"]);
    await log.close();
    opened.length = 0;
    const reopened = await openLog();
    expect(keysOf(await reopened.consumer("1:webhook").read(10))).toEqual(["a", "b"]);
    expect(reopened.stats().corruptFrames).toBe(0);
  });

  it("writes dead letters to dead-letters/<target>.jsonl and acknowledges them", async () => {
    const log = await openLog();
    await log.append([{ record: sampleRecord("bad"), targets: ["1:webhook"] }]);
    const consumer = log.consumer("1:webhook");
    const [entry] = await consumer.read(1);
    await consumer.deadLetter(entry as never, "S3NOTIFY_ERR_TARGET_REJECTED: 400 Bad Request");
    expect(consumer.pending()).toBe(0);
    const lines = (await readFile(join(directory, "dead-letters", "1:webhook.jsonl"), "utf8")).trim().split("\n");
    expect(lines).toHaveLength(1);
    const letter = JSON.parse(lines[0] as string) as { targetId: string; reason: string; record: { s3: { object: { key: string } } } };
    expect(letter.targetId).toBe("1:webhook");
    expect(letter.reason).toContain("400");
    expect(letter.record.s3.object.key).toBe("bad");
    const letters = await readDeadLetters(directory, "1:webhook");
    expect(letters.map((deadLetter) => [deadLetter.position, deadLetter.record.s3.object.key])).toEqual([[entry?.position, "bad"]]);
    expect(await readDeadLetters(directory, "2:kafka")).toEqual([]);
  });

  it("refuses a queue_dir another live process holds, and one process cannot open it twice", async () => {
    const log = await openLog();
    await expect(FileEventLog.open(directory)).rejects.toThrow(/already open in this process/);
    await log.close();
    opened.length = 0;
    await writeFile(join(directory, "LOCK"), String(process.ppid));
    await expect(FileEventLog.open(directory)).rejects.toMatchObject({ code: "S3NOTIFY_ERR_STORE_INIT" });
    await rm(join(directory, "LOCK"));
    await openLog();
  });

  it("loses no acknowledged append when the writing process is killed mid-stream (SIGKILL)", async () => {
    const script = join(directory, "appender.mjs");
    const logDirectory = join(directory, "queue");
    await writeFile(
      script,
      `import { FileEventLog } from ${JSON.stringify(`file://${logModule}`)};
const log = await FileEventLog.open(${JSON.stringify(logDirectory)}, { segmentBytes: 16384, positionFlushMs: 5 });
const record = (key) => ({ eventVersion: "2.0", eventSource: "minio:s3", awsRegion: "", eventTime: "2024-01-01T00:00:00.000Z",
  eventName: "s3:ObjectCreated:Put", userIdentity: { principalId: "minio" }, requestParameters: null, responseElements: {},
  s3: { s3SchemaVersion: "1.0", configurationId: "Config", bucket: { name: "b", ownerIdentity: { principalId: "minio" }, arn: "arn:aws:s3:::b" },
  object: { key, sequencer: "1" } }, source: { host: "", port: "", userAgent: "" } });
let next = 0;
async function writer() {
  for (;;) {
    const key = "k" + next++;
    const [result] = await log.append([{ record: record(key), targets: ["1:webhook", "2:kafka"] }]);
    process.stdout.write(key + " " + result.position + "\\n");
  }
}
for (let index = 0; index < 8; index++) void writer();
// One target consumes meanwhile: its position is saved lazily and may lag, never lead.
const consumer = log.consumer("1:webhook");
for (;;) {
  const entries = await consumer.read(10);
  await consumer.ack(entries.map((entry) => entry.position));
  for (const entry of entries) process.stdout.write("ack " + entry.position + "\\n");
}
`,
    );
    const child = spawn(process.execPath, ["--import", "tsx", script], { cwd: repositoryRoot, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const printed = new Map<string, number>();
    const acknowledged = new Set<number>();
    const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
    const lines = createInterface({ input: child.stdout });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the appender printed ${printed.size} lines; stderr: ${stderr}`)), 20_000);
      lines.on("line", (line) => {
        const [key, position] = line.split(" ");
        if (key === "ack") {
          acknowledged.add(Number(position));
          return;
        }
        printed.set(key as string, Number(position));
        if (printed.size === 400) {
          child.kill("SIGKILL");
          clearTimeout(timer);
          resolve();
        }
      });
    });
    await exited;
    lines.close();
    // Make sure the tail is torn even when the kill landed between two writes: half a frame, as a crash mid-write leaves.
    const segments = (await readdir(join(logDirectory, "segments"))).sort();
    const lastSegment = join(logDirectory, "segments", segments.at(-1) as string);
    const firstFrame = (await readFile(join(logDirectory, "segments", segments[0] as string))).subarray(0, 37);
    await appendFile(lastSegment, firstFrame);

    const log = await FileEventLog.open(logDirectory, { segmentBytes: 16384 });
    expect(log.stats().corruptFrames).toBeGreaterThanOrEqual(1);
    opened.push(log);
    for (const targetId of ["1:webhook", "2:kafka"]) {
      const entries = await log.consumer(targetId).read(1_000_000);
      const positions = entries.map((entry) => entry.position);
      expect(positions).toEqual([...positions].sort((left, right) => left - right));
      const found = new Map(entries.map((entry) => [entry.record.s3.object.key, entry.position]));
      for (const [key, position] of printed) {
        // An acknowledged entry may come back (at-least-once); any other must.
        if (targetId === "1:webhook" && acknowledged.has(position) && !found.has(key)) continue;
        expect(found.get(key), key).toBe(position);
      }
    }
    expect(acknowledged.size).toBeGreaterThan(0);
    // The log stays usable after the crash: new appends follow what survived.
    const [after] = await log.append([{ record: sampleRecord("after"), targets: ["1:webhook"] }]);
    expect(after?.position).toBeGreaterThan(Math.max(...printed.values()));
  });
});
