// Kafka and NSQ targets: events/s when core hands the target one event per send()
// (awaited one at a time: one produce / one PUB per event, what MinIO does) against
// batches of 100 and 500 (one produce request / one MPUB per batch), against the
// wire-protocol test brokers from @s3notify/testkit in the same run. Each broker runs in
// its own process (bench/test-broker-process.mjs), as a real broker would, so that its
// decoding does not queue behind the client on one event loop.
//
//   npx tsx bench/kafka-nsq-targets.bench.ts      (BENCH_SECONDS=2 per case)

import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import type { Target } from "@s3notify/core";
import kafkaTarget from "../packages/target-kafka/src/index.js";
import nsqTarget from "../packages/target-nsq/src/index.js";
import { makeBenchTarget, nextBenchRecord } from "./support.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? "2");
const BATCH_SIZES = [1, 100, 500] as const;

async function measure(target: Target, batchSize: number): Promise<number> {
  await target.send(Array.from({ length: batchSize }, nextBenchRecord));
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  let events = 0;
  while (performance.now() < deadline) {
    const batch = Array.from({ length: batchSize }, nextBenchRecord);
    await target.send(batch);
    events += batch.length;
  }
  return events / ((performance.now() - started) / 1000);
}

interface BrokerProcess {
  readonly address: string;
  close(): Promise<void>;
}

async function startBrokerProcess(kind: "kafka" | "nsq"): Promise<BrokerProcess> {
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

const kafkaBroker = await startBrokerProcess("kafka");
const nsqd = await startBrokerProcess("nsq");
const rows: { target: string; batchSize: number; perSecond: number; ratio: number }[] = [];
try {
  for (const [name, make] of [
    [
      "kafka",
      (batchSize: number) =>
        makeBenchTarget(kafkaTarget, { brokers: kafkaBroker.address, topic: `bench-${batchSize}`, batch_size: String(Math.max(batchSize, 2)) }),
    ],
    ["nsq", () => makeBenchTarget(nsqTarget, { nsqd_address: nsqd.address, topic: "bench" })],
  ] as const) {
    let baseline = 0;
    for (const batchSize of BATCH_SIZES) {
      const target = make(batchSize);
      const perSecond = await measure(target, batchSize);
      await target.close();
      if (batchSize === 1) baseline = perSecond;
      rows.push({ target: name, batchSize, perSecond, ratio: perSecond / baseline });
    }
  }
} finally {
  await kafkaBroker.close();
  await nsqd.close();
}

console.log(`| target | events per send() | events/s | vs one awaited send |`);
console.log(`|---|---:|---:|---:|`);
for (const row of rows) console.log(`| ${row.target} | ${row.batchSize} | ${Math.round(row.perSecond).toLocaleString("en")} | ${row.ratio.toFixed(1)}x |`);
