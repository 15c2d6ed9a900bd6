// Durable enqueue throughput: FileEventLog (one log per queue_dir, group commit)
// against what MinIO's queue store does (one `<uuid>.event` file per event and
// target, written and fsynced), on the same disk in the same run, plus the
// disk's own limit of small write+fdatasync calls.
//
//   npx tsx bench/store.bench.ts          (BENCH_SECONDS=2 per case, BENCH_DIR=<dir on the disk to test>)
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
// Core's sources directly (no build needed; the entry's tsyringe decorators need core's tsconfig).
import { buildEventRecord } from "../packages/core/src/event/build-record.js";
import { FileEventLog } from "../packages/core/src/store/file-event-log.js";
import type { EventRecord } from "../packages/core/src/types.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? "1");
/** Rounds per case, alternating the two stores; the best of each is kept (on a shared disk noise only ever slows a run down). */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? "3");
const BASE = process.env.BENCH_DIR ?? tmpdir();

const record: EventRecord = buildEventRecord({
  eventName: "s3:ObjectCreated:Put",
  bucket: "photos",
  key: "2024/holiday/IMG_0001.jpg",
  size: 1_048_576,
  eTag: "d41d8cd98f00b204e9800998ecf8427e",
  contentType: "image/jpeg",
  userMetadata: { "content-type": "image/jpeg" },
  request: { principalId: "minioadmin", sourceIp: "127.0.0.1", userAgent: "MinIO (linux; amd64) minio-go/v7.0.70", requestId: "17C0A3F1B2D4E5F6" },
});
const recordJson = Buffer.from(JSON.stringify(record));

/** Flush what the previous case left (thousands of files to delete) so it does not slow the next one down. */
function settle(): void {
  if (process.platform !== "win32") execFileSync("sync");
}

async function scratch(name: string): Promise<string> {
  settle();
  return mkdtemp(join(BASE, `s3notify-bench-${name}-`));
}

/** Runs `inFlight` loops of `operation` for SECONDS; returns operations per second. */
async function measure(inFlight: number, operation: () => Promise<number>): Promise<number> {
  const deadline = performance.now() + SECONDS * 1000;
  const started = performance.now();
  let done = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < deadline) {
        // Not `done += await ...`: that reads `done` before the await and loses the other loops' counts.
        const count = await operation();
        done += count;
      }
    }),
  );
  return done / ((performance.now() - started) / 1000);
}

async function rawSyncs(): Promise<number> {
  const directory = await scratch("raw");
  const handle = await open(join(directory, "raw"), "w");
  let offset = 0;
  try {
    return await measure(1, async () => {
      await handle.write(recordJson, 0, recordJson.length, offset);
      offset += recordJson.length;
      await handle.datasync();
      return 1;
    });
  } finally {
    await handle.close();
    await rm(directory, { recursive: true, force: true });
  }
}

/** MinIO's queue store: per target a folder, per event a new `<uuid>.event` file holding the record, fsynced. */
async function oneFilePerEvent(inFlight: number, targets: number): Promise<number> {
  const directory = await scratch("minio");
  const folders = Array.from({ length: targets }, (_unused, index) => join(directory, `minio-webhook-${index}`));
  for (const folder of folders) await mkdir(folder, { recursive: true });
  try {
    return await measure(inFlight, async () => {
      await Promise.all(
        folders.map(async (folder) => {
          const handle = await open(join(folder, `${randomUUID()}.event`), "w", 0o770);
          try {
            await handle.write(recordJson);
            await handle.sync();
          } finally {
            await handle.close();
          }
        }),
      );
      return 1;
    });
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

async function eventLog(inFlight: number, targets: number): Promise<{ rate: number; perSync: number }> {
  const directory = await scratch("log");
  const log = await FileEventLog.open(directory);
  const ids = Array.from({ length: targets }, (_unused, index) => `${index}:webhook`);
  try {
    const rate = await measure(inFlight, async () => {
      await log.append([{ record, targets: ids }]);
      return 1;
    });
    const stats = log.stats();
    return { rate, perSync: stats.appended / Math.max(1, stats.commits) };
  } finally {
    await log.close();
    await rm(directory, { recursive: true, force: true });
  }
}

const format = (value: number): string => Math.round(value).toLocaleString("en-US").padStart(9);

console.log(`durable enqueue, ${recordJson.length}-byte record, best of ${ROUNDS} rounds of ${SECONDS} s per case, scratch dirs under ${BASE}`);
const raw = await rawSyncs();
console.log(`disk limit: ${format(raw)} write+fdatasync/s (one ${recordJson.length}-byte write each)\n`);
console.log("in flight | targets | one file per event (MinIO) | FileEventLog events/s | events per fdatasync | ratio");
console.log("----------|---------|----------------------------|-----------------------|----------------------|------");
const cases: [number, number][] = [
  [1, 1],
  [16, 1],
  [64, 1],
  [256, 1],
  [64, 2],
];
const ratios: number[] = [];
let bestBaseline = 0;
let bestOurs = 0;
for (const [inFlight, targets] of cases) {
  let baseline = 0;
  let ours = { rate: 0, perSync: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    const run = await eventLog(inFlight, targets);
    if (run.rate > ours.rate) ours = run;
    baseline = Math.max(baseline, await oneFilePerEvent(inFlight, targets));
  }
  bestBaseline = Math.max(bestBaseline, baseline);
  bestOurs = Math.max(bestOurs, ours.rate);
  const ratio = ours.rate / baseline;
  ratios.push(ratio);
  console.log(
    `${String(inFlight).padStart(9)} | ${String(targets).padStart(7)} | ${format(baseline).padStart(26)} | ${format(ours.rate).padStart(21)} | ${ours.perSync.toFixed(1).padStart(20)} | ${ratio.toFixed(1)}x`,
  );
}
console.log(`disk limit again after the runs: ${format(await rawSyncs())} write+fdatasync/s`);
console.log(`\nbest ratio vs one file per event at the same concurrency: ${Math.max(...ratios).toFixed(1)}x (goal ≥ 10x with concurrent appenders)`);
console.log(
  `best rate vs best rate (any concurrency): ${format(bestOurs).trim()} vs ${format(bestBaseline).trim()} events/s = ${(bestOurs / bestBaseline).toFixed(1)}x`,
);
