// Kafka and NSQ targets: events/s when core hands the target one event per send()
// (awaited one at a time: one produce / one PUB per event, what MinIO does) against
// batches of 100 and 500 (one produce request / one MPUB per batch), against the
// wire-protocol test brokers from @s3notify/testkit in the same run. Each broker runs in
// its own process (bench/test-broker-process.mjs), as a real broker would, so that its
// decoding does not queue behind the client on one event loop.
//
//   npx tsx bench/kafka-nsq-targets.bench.ts      (BENCH_SECONDS=4 per case, in 8 interleaved rounds)

import type { Target } from "@s3notify/core";
import kafkaTarget from "../packages/target-kafka/src/index.js";
import nsqTarget from "../packages/target-nsq/src/index.js";
import { makeBenchTarget, nextBenchRecord, startBrokerProcess } from "./support.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? "4");
const ROUNDS = 8;
const BATCH_SIZES = [1, 100, 500] as const;
/** Issue #5's goal for Kafka; NSQ has none. */
const GOALS: Record<string, number | undefined> = { kafka: 10 };

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
    const targets = BATCH_SIZES.map((batchSize) => make(batchSize));
    try {
      const measurements = BATCH_SIZES.map(() => ({ events: 0, sendMs: 0 }));
      // Warm up (connection, metadata, topic creation), then interleave the cases in rounds so that
      // a burst of load on the shared machine hits them all alike.
      for (const [index, target] of targets.entries()) await target.send(Array.from({ length: BATCH_SIZES[index] as number }, nextBenchRecord));
      for (let round = 0; round < ROUNDS; round++) {
        for (const [index, target] of targets.entries()) {
          await measure(target, BATCH_SIZES[index] as number, SECONDS / ROUNDS, measurements[index] as Measurement);
        }
      }
      const rates = measurements.map((measurement) => measurement.events / (measurement.sendMs / 1000));
      for (const [index, batchSize] of BATCH_SIZES.entries()) {
        rows.push({ target: name, batchSize, perSecond: rates[index] as number, ratio: (rates[index] as number) / (rates[0] as number) });
      }
    } finally {
      await Promise.all(targets.map((target) => target.close()));
    }
  }
} finally {
  await kafkaBroker.close();
  await nsqd.close();
}

console.log(
  `Kafka and NSQ targets: events/s inside send(), ${SECONDS} s per case in ${ROUNDS} interleaved rounds, one send() awaited at a time, test brokers in their own processes`,
);
console.log(`| target | events per send() | events/s | vs one awaited send | goal |`);
console.log(`|---|---:|---:|---:|---|`);
for (const row of rows) {
  const goal = GOALS[row.target];
  const verdict = goal === undefined || row.batchSize === 1 ? "" : `${goal}x ${row.ratio >= goal ? "met" : "MISSED"}`;
  console.log(`| ${row.target} | ${row.batchSize} | ${Math.round(row.perSecond).toLocaleString("en")} | ${row.ratio.toFixed(1)}x | ${verdict} |`);
}
