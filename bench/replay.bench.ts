// Backlog replay: how fast core drains a queue_dir backlog into a target through its FileEventLog and
// TargetRunner, one event per send (MinIO's replay: one queued event, one send, one delete, then the next)
// against the target's own batch size, on the same servers in one run. Unlike the per-target benchmarks,
// this counts everything core does per send as well: reading the log, acknowledging, retry bookkeeping.
//
//   npx tsx bench/replay.bench.ts      (BENCH_EVENTS=20000 per case, in 4 alternating rounds; needs `pnpm build`)

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileEventLog, type Target, TargetRunner } from "@s3notify/core";
import { type RunningService, startService } from "@s3notify/testkit";
import mysql from "mysql2/promise";
import { connect as natsConnect } from "nats";
import kafkaTarget from "../packages/target-kafka/src/index.js";
import { mysqlPlugin } from "../packages/target-mysql/src/index.js";
import natsTarget from "../packages/target-nats/src/index.js";
import { postgresPlugin } from "../packages/target-postgres/src/index.js";
import { redisTarget } from "../packages/target-redis/src/index.js";
import { makeBenchTarget, nextBenchRecord, printTable, type RatioSpread, resultCells, spreadOf, startBrokerProcess } from "./support.js";

const EVENTS = Number(process.env.BENCH_EVENTS ?? "20000");
/** The cases alternate in rounds (EVENTS / ROUNDS each), so that a burst of load on the shared machine hits both. */
const ROUNDS = 4;
const TARGET_ID = "bench:replay";
/** The goals of issues #4 and #5 for batching against one event per round trip. */
const GOALS: Record<string, number> = { postgres: 5, mysql: 5, redis: 10, kafka: 10, "nats jetstream": 10 };

/** The target as core sees it, optionally with its batch size capped (1: one event per send, as MinIO replays), noting when its first send began. */
function observed(target: Target, maxBatchSize = target.capabilities.maxBatchSize): Target & { firstSendAt: number | undefined } {
  const wrapper = {
    id: target.id,
    capabilities: { ...target.capabilities, maxBatchSize },
    firstSendAt: undefined as number | undefined,
    open: () => target.open(),
    send: (batch: Parameters<Target["send"]>[0]) => {
      wrapper.firstSendAt ??= performance.now();
      return target.send(batch);
    },
    isActive: () => target.isActive(),
    close: () => target.close(),
  };
  return wrapper;
}

/** Fills a fresh queue_dir with `events` events, then times the runner draining it, from its first send (after open()); milliseconds. */
async function replay(target: Target & { firstSendAt: number | undefined }, events: number): Promise<number> {
  const folder = await mkdtemp(join(tmpdir(), "s3notify-replay-"));
  const log = await FileEventLog.open(folder);
  try {
    for (let appended = 0; appended < events; appended += 1000) {
      const count = Math.min(1000, events - appended);
      await log.append(Array.from({ length: count }, () => ({ record: nextBenchRecord(), targets: [TARGET_ID] })));
    }
    await target.open();
    const runner = new TargetRunner({ target, targetId: TARGET_ID, arn: "arn:minio:sqs::replay:bench", consumer: log.consumer(TARGET_ID), durable: true });
    runner.start();
    const drained = await runner.whenIdle(600_000);
    const elapsedMs = performance.now() - (target.firstSendAt ?? Number.NaN);
    const stats = runner.stats();
    await runner.close(5_000);
    if (!drained || stats.sent !== events) throw new Error(`replay did not finish: ${stats.sent} of ${events} sent, last error ${stats.lastError ?? "none"}`);
    return elapsedMs;
  } finally {
    await log.close();
    await rm(folder, { recursive: true, force: true });
  }
}

interface Row {
  readonly target: string;
  readonly batchSize: number;
  readonly perSecond: number;
  readonly ratio: number;
  readonly spread?: RatioSpread;
}

async function main(): Promise<void> {
  const services: RunningService[] = [];
  const kafka = await startBrokerProcess("kafka");
  const rows: Row[] = [];
  try {
    const [redis, postgres, mariadb, nats] = await Promise.all([
      startService("redis"),
      startService("postgres", { durable: true }),
      startService("mariadb", { durable: true }),
      startService("nats"),
    ]);
    services.push(redis, postgres, mariadb, nats);
    const admin = await mysql.createConnection({ host: "127.0.0.1", port: mariadb.port, user: "root" });
    await admin.query("CREATE DATABASE bench CHARACTER SET utf8mb4");
    await admin.end();
    const natsAdmin = await natsConnect({ servers: nats.url });
    await (await natsAdmin.jetstreamManager()).streams.add({ name: "REPLAY", subjects: ["replay.>"] });
    await natsAdmin.close();

    const cases: [string, (table: string) => Target][] = [
      [
        "postgres",
        (table) =>
          makeBenchTarget(postgresPlugin, {
            connection_string: `host=127.0.0.1 port=${postgres.port} user=postgres dbname=postgres sslmode=disable`,
            table,
            format: "access",
          }),
      ],
      ["mysql", (table) => makeBenchTarget(mysqlPlugin, { dsn_string: `root@tcp(127.0.0.1:${mariadb.port})/bench`, table, format: "access" })],
      ["redis", (key) => makeBenchTarget(redisTarget, { address: `127.0.0.1:${redis.port}`, key, format: "access" })],
      ["kafka", (topic) => makeBenchTarget(kafkaTarget, { brokers: kafka.address, topic })],
      ["nats jetstream", (subject) => makeBenchTarget(natsTarget, { address: `127.0.0.1:${nats.port}`, subject: `replay.${subject}`, jetstream: "on" })],
    ];
    for (const [name, make] of cases) {
      const perRound = Math.ceil(EVENTS / ROUNDS);
      let batchSize = 0;
      const elapsed = { single: 0, batched: 0 };
      const roundRatios: number[] = [];
      // One untimed round first, so that both cases are measured with warm JIT and connections, as in the other benchmarks.
      await replay(observed(make("replay_warm_single"), 1), Math.min(perRound, 2000));
      await replay(observed(make("replay_warm_batched")), Math.min(perRound, 2000));
      for (let round = 0; round < ROUNDS; round++) {
        const singleMs = await replay(observed(make(`replay_single_${round}`), 1), perRound);
        const batchedTarget = observed(make(`replay_batched_${round}`));
        batchSize = batchedTarget.capabilities.maxBatchSize;
        const batchedMs = await replay(batchedTarget, perRound);
        elapsed.single += singleMs;
        elapsed.batched += batchedMs;
        roundRatios.push(singleMs / batchedMs);
      }
      const single = (perRound * ROUNDS) / (elapsed.single / 1000);
      const batched = (perRound * ROUNDS) / (elapsed.batched / 1000);
      rows.push(
        { target: name, batchSize: 1, perSecond: single, ratio: 1 },
        { target: name, batchSize, perSecond: batched, ratio: batched / single, spread: spreadOf(roundRatios) },
      );
    }
  } finally {
    await kafka.close();
    await Promise.all(services.map((service) => service.dispose()));
  }

  console.log(
    `Backlog replay through core's FileEventLog and TargetRunner: ${EVENTS} queued events per case in ${ROUNDS} alternating rounds; PostgreSQL and MariaDB with their durability defaults, Kafka on the test broker in its own process`,
  );
  printTable(
    ["target", "events per send()", "events/s", "vs one event per send", "goal"],
    rows.map((row) => [row.target, ...resultCells(row.batchSize, row.perSecond, row.ratio, GOALS[row.target], row.spread)]),
  );
}

await main();
