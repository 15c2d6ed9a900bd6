// What every target benchmark needs: a realistic record and a target built the way core builds one.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { buildEventRecord, type EventRecord, recordJson, type Target, type TargetPlugin } from "@s3notify/core";
import { targetFixture } from "@s3notify/testkit";

let sequence = 0;

/** A fresh PUT record of a 1 MiB JPEG, each with its own key (as an upload-heavy bucket produces). */
export function nextBenchRecord(): EventRecord {
  sequence += 1;
  return buildEventRecord({
    eventName: "s3:ObjectCreated:Put",
    bucket: "photos",
    key: `2024/holiday/IMG_${String(sequence).padStart(7, "0")}.jpg`,
    size: 1_048_576,
    eTag: "d41d8cd98f00b204e9800998ecf8427e",
    contentType: "image/jpeg",
    userMetadata: { "content-type": "image/jpeg" },
    request: { principalId: "minioadmin", sourceIp: "127.0.0.1", userAgent: "MinIO (linux; amd64) minio-go/v7.0.70" },
  });
}

/** A target from KV values layered over the plugin's defaults and core's common keys. */
export function makeBenchTarget<Config>(plugin: TargetPlugin<Config>, values: Record<string, string>): Target {
  return targetFixture(plugin).create(values, "bench");
}

/** A testkit test broker in its own process (bench/test-broker-process.mjs), as a real broker would run. */
export interface BrokerProcess {
  readonly address: string;
  close(): Promise<void>;
}

export async function startBrokerProcess(kind: "kafka" | "nsq"): Promise<BrokerProcess> {
  const child = spawn(process.execPath, [new URL("./test-broker-process.mjs", import.meta.url).pathname, kind], { stdio: ["pipe", "pipe", "inherit"] });
  const [line] = (await once(createInterface({ input: child.stdout }), "line")) as [string];
  const { address } = JSON.parse(line) as { address: string };
  return {
    address,
    async close() {
      child.stdin.end();
      if (child.exitCode === null) await once(child, "exit");
    },
  };
}

/** One batch size's result: events/s spent inside send(), and its ratio to one event per send. */
export interface BatchSizeResult {
  readonly batchSize: number;
  readonly perSecond: number;
  readonly ratio: number;
  /** Lowest and highest ratio of a single round (both cases timed back to back): how much the machine's noise moves it. */
  readonly roundRatios: RatioSpread;
}

export interface RatioSpread {
  readonly min: number;
  readonly max: number;
}

/** The spread of per-round ratios. */
export function spreadOf(ratios: readonly number[]): RatioSpread {
  return { min: Math.min(...ratios), max: Math.max(...ratios) };
}

/**
 * `targets[i]` sends batches of `batchSizes[i]` fresh records, one send() awaited at a time; the cases take
 * turns in `rounds` rounds so that a burst of load on the shared machine hits them all alike. Only the time
 * inside send() counts. Records arrive serialized, as core hands them over: the log wrote each one's JSON
 * (recordJson) before any target sees it, so building and serializing records is the host's cost, the same
 * for every batch size. The first batch size is the baseline of the ratios. The targets are closed at the end.
 */
export async function compareBatchSizes(
  targets: readonly Target[],
  batchSizes: readonly number[],
  seconds: number,
  rounds: number,
): Promise<BatchSizeResult[]> {
  try {
    return await measureBatchSizes(targets, batchSizes, seconds, rounds);
  } finally {
    await Promise.all(targets.map((target) => target.close()));
  }
}

async function measureBatchSizes(targets: readonly Target[], batchSizes: readonly number[], seconds: number, rounds: number): Promise<BatchSizeResult[]> {
  const totals = batchSizes.map(() => ({ events: 0, sendMs: 0 }));
  const roundRates = batchSizes.map(() => [] as number[]);
  // Warm up for one round's time, not timed: connections, tables, topics, prepared statements, and the JIT
  // (a client's single-send path runs several times slower for its first thousand calls).
  for (const [index, target] of targets.entries()) {
    await target.open();
    const warmUntil = performance.now() + (seconds * 1000) / rounds;
    do await target.send(Array.from({ length: batchSizes[index] as number }, nextBenchRecord));
    while (performance.now() < warmUntil);
  }
  for (let round = 0; round < rounds; round++) {
    for (const [index, target] of targets.entries()) {
      const batchSize = batchSizes[index] as number;
      const total = totals[index] as { events: number; sendMs: number };
      const round = { events: 0, sendMs: 0 };
      const deadline = performance.now() + (seconds * 1000) / rounds;
      while (performance.now() < deadline) {
        const batch = Array.from({ length: batchSize }, nextBenchRecord);
        for (const record of batch) recordJson(record);
        const started = performance.now();
        await target.send(batch);
        round.sendMs += performance.now() - started;
        round.events += batch.length;
      }
      total.sendMs += round.sendMs;
      total.events += round.events;
      roundRates[index]?.push(round.events / round.sendMs);
    }
  }
  const rates = totals.map((total) => total.events / (total.sendMs / 1000));
  return batchSizes.map((batchSize, index) => ({
    batchSize,
    perSecond: rates[index] as number,
    ratio: (rates[index] as number) / (rates[0] as number),
    roundRatios: spreadOf((roundRates[index] as number[]).map((rate, round) => rate / ((roundRates[0] as number[])[round] as number))),
  }));
}

/** `10x met`, `10x MISSED`, or empty for the baseline row and targets without a goal. */
export function goalVerdict(ratio: number, batchSize: number, goal: number | undefined): string {
  if (goal === undefined || batchSize === 1) return "";
  return `${goal}x ${ratio >= goal ? "met" : "MISSED"}`;
}

/** A Markdown table, numbers right-aligned, ready to paste into a note. */
export function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  console.log(`| ${header.join(" | ")} |`);
  console.log(`|${header.map((_title, column) => (column === 0 ? "---" : "---:")).join("|")}|`);
  for (const row of rows) console.log(`| ${row.join(" | ")} |`);
}

/** The last cells of a result row: events per send(), events/s, the ratio (with its per-round spread) and the goal verdict. */
export function resultCells(batchSize: number, perSecond: number, ratio: number, goal: number | undefined, spread?: RatioSpread): string[] {
  const rounds = spread && batchSize > 1 ? ` (rounds ${spread.min.toFixed(1)}–${spread.max.toFixed(1)})` : "";
  return [String(batchSize), formatRate(perSecond), `${ratio.toFixed(1)}x${rounds}`, goalVerdict(ratio, batchSize, goal)];
}

/** 12345.6 → "12,346". */
export function formatRate(perSecond: number): string {
  return Math.round(perSecond).toLocaleString("en");
}
