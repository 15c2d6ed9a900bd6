// Kafka and NSQ targets: events/s when core hands the target one event per send()
// (awaited one at a time: one produce / one PUB per event, what MinIO does) against
// batches of 100 and 500 (one produce request / one MPUB per batch), against the
// wire-protocol test brokers from @s3notify/testkit in the same run. The brokers run in
// this process too, so their CPU cost is inside every figure alike.
//
//   npx tsx bench/kafka-nsq-targets.bench.ts      (BENCH_SECONDS=2 per case)
import { buildEventRecord, type EventRecord, silentLogger, type Target, type TargetPlugin } from "@s3notify/core";
import { KafkaTestBroker, NsqTestServer } from "@s3notify/testkit";
import kafkaTarget from "../packages/target-kafka/src/index.js";
import nsqTarget from "../packages/target-nsq/src/index.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? "2");
const BATCH_SIZES = [1, 100, 500] as const;

let sequence = 0;
function nextRecord(): EventRecord {
  sequence += 1;
  return buildEventRecord({
    eventName: "s3:ObjectCreated:Put",
    bucket: "photos",
    key: `2024/holiday/IMG_${String(sequence).padStart(7, "0")}.jpg`,
    size: 1_048_576,
    eTag: "d41d8cd98f00b204e9800998ecf8427e",
    contentType: "image/jpeg",
    request: { principalId: "minioadmin", sourceIp: "127.0.0.1", userAgent: "MinIO (linux; amd64) minio-go/v7.0.70" },
  });
}

function makeTarget<Config>(plugin: TargetPlugin<Config>, values: Record<string, string>): Target {
  const raw: Record<string, string> = {};
  for (const key of plugin.keys) raw[key.name] = key.default;
  const config = plugin.parseConfig({ ...raw, ...values }, { targetId: "bench", subsystem: `notify_${plugin.type}` });
  return plugin.create(config, { targetId: { id: "bench", type: plugin.arnType }, logger: silentLogger });
}

async function measure(target: Target, batchSize: number): Promise<number> {
  await target.send(Array.from({ length: batchSize }, nextRecord));
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  let events = 0;
  while (performance.now() < deadline) {
    const batch = Array.from({ length: batchSize }, nextRecord);
    await target.send(batch);
    events += batch.length;
  }
  return events / ((performance.now() - started) / 1000);
}

const kafkaBroker = await KafkaTestBroker.start();
const nsqd = await NsqTestServer.start({ maxMessageBytes: 10 * 1024 * 1024 });
const rows: { target: string; batchSize: number; perSecond: number; ratio: number }[] = [];
try {
  for (const [name, make] of [
    [
      "kafka",
      (batchSize: number) =>
        makeTarget(kafkaTarget, { brokers: kafkaBroker.brokers.join(","), topic: `bench-${batchSize}`, batch_size: String(Math.max(batchSize, 2)) }),
    ],
    ["nsq", () => makeTarget(nsqTarget, { nsqd_address: nsqd.address, topic: "bench" })],
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
