// Kafka and NSQ targets: events/s when core hands the target one event per send()
// (awaited one at a time: one produce / one PUB per event, what MinIO does) against
// batches of 100 and 500 (one produce request / one MPUB per batch), against the
// wire-protocol test brokers from @s3notify/testkit in the same run. Each broker runs in
// its own process (bench/test-broker-process.mjs), as a real broker would, so that its
// decoding does not queue behind the client on one event loop.
//
//   npx tsx bench/kafka-nsq-targets.bench.ts      (BENCH_SECONDS=4 per case, in 8 interleaved rounds)

import kafkaTarget from "../packages/target-kafka/src/index.js";
import nsqTarget from "../packages/target-nsq/src/index.js";
import { compareBatchSizes, makeBenchTarget, printTable, resultCells, startBrokerProcess } from "./support.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? "4");
const ROUNDS = 8;
const BATCH_SIZES = [1, 100, 500] as const;
/** Issue #5's goal for Kafka; NSQ has none. */
const GOALS: Record<string, number | undefined> = { kafka: 10 };

const kafkaBroker = await startBrokerProcess("kafka");
const nsqd = await startBrokerProcess("nsq");
const rows: string[][] = [];
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
    for (const result of await compareBatchSizes(targets, BATCH_SIZES, SECONDS, ROUNDS)) {
      rows.push([name, ...resultCells(result.batchSize, result.perSecond, result.ratio, GOALS[name], result.roundRatios)]);
    }
  }
} finally {
  await kafkaBroker.close();
  await nsqd.close();
}

console.log(
  `Kafka and NSQ targets: events/s inside send(), ${SECONDS} s per case in ${ROUNDS} interleaved rounds, one send() awaited at a time, test brokers in their own processes`,
);
printTable(["target", "events per send()", "events/s", "vs one awaited send", "goal"], rows);
