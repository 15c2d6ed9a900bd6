import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { goJson } from "../event/go-json.js";
import type { Logger } from "../types.js";
import { FileEventLog } from "./file-event-log.js";
import { importMinioQueue } from "./import-minio-queue.js";
import { keysOf, sampleRecord } from "./sample-record.test-helper.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function queueDir(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), "s3notify-minio-queue-"));
  cleanups.push(() => rm(directory, { recursive: true, force: true }));
  return directory;
}

/** Writes MinIO's layout: one bare-record file per event, with the given file time (seconds). */
async function minioFile(folder: string, name: string, content: string, seconds: number): Promise<void> {
  await writeFile(join(folder, name), content);
  await utimes(join(folder, name), seconds, seconds);
}

function capturingLogger(): Logger & { warnings: string[]; infos: string[] } {
  const warnings: string[] = [];
  const infos: string[] = [];
  return { warnings, infos, debug: () => undefined, info: (message) => infos.push(message), warn: (message) => warnings.push(message), error: () => undefined };
}

describe("importMinioQueue", () => {
  it("appends MinIO's .event files oldest first, deletes them, and leaves what it cannot import named in a warning", async () => {
    const directory = await queueDir();
    const folder = join(directory, "minio-webhook-1");
    await mkdir(folder);
    // Names in the opposite order of the file times: the order must come from the times, as MinIO replays.
    await minioFile(folder, "ffff.event", goJson(sampleRecord("first.jpg")), 1_000);
    await minioFile(folder, "aaaa.event", goJson(sampleRecord("third.jpg")), 3_000);
    await minioFile(folder, "cccc.event", goJson(sampleRecord("second.jpg")), 2_000);
    await minioFile(folder, "empty.event", "", 1_500);
    await minioFile(folder, "bad.event", "{not json", 1_200);
    await minioFile(folder, "2:0d9c.event.snappy", "s2 bytes", 1_100);
    await minioFile(folder, "notes.txt", "kept", 1_000);
    const log = await FileEventLog.open(join(directory, "log"));
    cleanups.push(() => log.close());
    const logger = capturingLogger();

    const result = await importMinioQueue({ log, queueDir: directory, minioType: "webhook", id: "1", targetId: "1:webhook", logger });

    expect(result).toMatchObject({ folder, imported: 3, empty: 1 });
    expect(result?.left.map((entry) => entry.file).sort()).toEqual(["2:0d9c.event.snappy", "bad.event"]);
    expect(keysOf(await log.consumer("1:webhook").read(10))).toEqual(["first.jpg", "second.jpg", "third.jpg"]);
    expect((await readdir(folder)).sort()).toEqual(["2:0d9c.event.snappy", "bad.event", "notes.txt"]);
    expect(logger.infos).toEqual([`imported 3 queued events from MinIO's queue folder ${folder}`]);
    expect(logger.warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/bad\.event left in place: not JSON/),
        expect.stringMatching(/\.event\.snappy left in place: a MinIO Kafka batch file/),
      ]),
    );
  });

  it("removes the folder once everything is imported, and is a no-op without one", async () => {
    const directory = await queueDir();
    const folder = join(directory, "minio-postgresql-_");
    await mkdir(folder);
    await minioFile(folder, "one.event", goJson(sampleRecord("one.jpg")), 1_000);
    const log = await FileEventLog.open(join(directory, "log"));
    cleanups.push(() => log.close());

    expect(await importMinioQueue({ log, queueDir: directory, minioType: "postgresql", id: "_", targetId: "_:postgresql" })).toMatchObject({ imported: 1 });
    expect(await readdir(directory)).toEqual(["log"]);
    expect(await importMinioQueue({ log, queueDir: directory, minioType: "postgresql", id: "_", targetId: "_:postgresql" })).toBeUndefined();
    expect(log.size("_:postgresql")).toBe(1);
  });

  it("keeps the files of events the log refuses (queue full) for the next start", async () => {
    const directory = await queueDir();
    const folder = join(directory, "minio-redis-cache");
    await mkdir(folder);
    for (const [index, key] of ["a", "b", "c"].entries()) await minioFile(folder, `${key}.event`, goJson(sampleRecord(`${key}.jpg`)), 1_000 + index);
    const log = await FileEventLog.open(join(directory, "log"), { queueLimit: 2 });
    cleanups.push(() => log.close());

    const result = await importMinioQueue({ log, queueDir: directory, minioType: "redis", id: "cache", targetId: "cache:redis" });

    expect(result).toMatchObject({ imported: 2, left: [{ file: "c.event", reason: expect.stringMatching(/maximum store limit/) }] });
    expect(await readdir(folder)).toEqual(["c.event"]);
    expect(keysOf(await log.consumer("cache:redis").read(10))).toEqual(["a.jpg", "b.jpg"]);
  });
});
