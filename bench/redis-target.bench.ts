// Redis target: events/s when core hands the target one event per send() (awaited one at a time:
// what MinIO does, one HSET/RPUSH round trip per event) against batches of 100 and 500 (one
// MULTI/EXEC transaction for namespace, one multi-value RPUSH for access), on the same
// throw-away redis-server in the same run.
//
//   npx tsx bench/redis-target.bench.ts      (BENCH_SECONDS=3 per case, in 10 interleaved rounds; needs `pnpm build` for core and testkit)

import type { Target } from "@s3notify/core";
import { type RunningService, startService } from "@s3notify/testkit";
import { redisTarget } from "../packages/target-redis/src/index.js";
import { makeBenchTarget, nextBenchRecord } from "./support.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? "3");
const ROUNDS = 10;
const BATCH_SIZES = [1, 100, 500] as const;
const FORMATS = ["namespace", "access"] as const;
const GOAL = 10;

/** Time spent inside send() only: building the records is the host's cost, the same for every batch size. */
interface Measurement {
  events: number;
  sendMs: number;
}

async function measure(target: Target, batchSize: number, seconds: number, into: Measurement): Promise<void> {
  const deadline = performance.now() + seconds * 1000;
  while (performance.now() < deadline) {
    const batch = Array.from({ length: batchSize }, nextBenchRecord);
    const started = performance.now();
    await target.send(batch);
    into.sendMs += performance.now() - started;
    into.events += batch.length;
  }
}

interface Row {
  readonly format: string;
  readonly batchSize: number;
  readonly events: number;
  readonly perSecond: number;
  readonly ratio: number;
}

async function benchFormat(redis: RunningService, format: (typeof FORMATS)[number]): Promise<Row[]> {
  const targets = BATCH_SIZES.map((batchSize) =>
    makeBenchTarget(redisTarget, { address: `127.0.0.1:${redis.port}`, key: `bench_${format}_${batchSize}`, format }),
  );
  try {
    const measurements = BATCH_SIZES.map(() => ({ events: 0, sendMs: 0 }));
    for (const [index, target] of targets.entries()) {
      await target.open();
      await target.send(Array.from({ length: BATCH_SIZES[index] as number }, nextBenchRecord));
    }
    // Interleave the cases in rounds so that a burst of load on the shared machine hits them all alike.
    for (let round = 0; round < ROUNDS; round++) {
      for (const [index, target] of targets.entries()) {
        await measure(target, BATCH_SIZES[index] as number, SECONDS / ROUNDS, measurements[index] as Measurement);
      }
    }
    const rates = measurements.map((measurement) => measurement.events / (measurement.sendMs / 1000));
    return BATCH_SIZES.map((batchSize, index) => ({
      format,
      batchSize,
      events: (measurements[index] as Measurement).events,
      perSecond: rates[index] as number,
      ratio: (rates[index] as number) / (rates[0] as number),
    }));
  } finally {
    await Promise.all(targets.map((target) => target.close()));
  }
}

function printTable(rows: readonly Row[]): void {
  const header = ["format", "events per send()", "events", "events/s", "vs 1 per send", `goal ${GOAL}x`];
  const lines = rows.map((row) => [
    row.format,
    String(row.batchSize),
    String(row.events),
    row.perSecond.toFixed(0),
    `${row.ratio.toFixed(1)}x`,
    row.batchSize === 1 ? "" : row.ratio >= GOAL ? "met" : "MISSED",
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => (line[column] as string).length)));
  const format = (cells: readonly string[]) => cells.map((cell, column) => cell.padStart(widths[column] as number)).join("  ");
  console.log(format(header));
  console.log(widths.map((width) => "-".repeat(width)).join("  "));
  for (const line of lines) console.log(format(line));
}

async function main(): Promise<void> {
  const redis = await startService("redis");
  try {
    const rows: Row[] = [];
    for (const format of FORMATS) rows.push(...(await benchFormat(redis, format)));
    console.log(
      `Redis target: events/s inside send(), ${SECONDS} s per case in ${ROUNDS} interleaved rounds, one send() awaited at a time, loopback redis-server`,
    );
    printTable(rows);
  } finally {
    await redis.dispose();
  }
}

await main();
