// Redis target: events/s when core hands the target one event per send() (awaited one at a time:
// what MinIO does, one HSET/RPUSH round trip per event) against batches of 100 and 500 (a pipeline
// of multi-value HSET/HDEL or RPUSH commands), on the same throw-away redis-server in the same run.
//
//   npx tsx bench/redis-target.bench.ts      (BENCH_SECONDS=3 per case, in 10 interleaved rounds; needs `pnpm build` for core and testkit)

import { startService } from "@s3notify/testkit";
import { redisTarget } from "../packages/target-redis/src/index.js";
import { compareBatchSizes, makeBenchTarget, printTable, resultCells } from "./support.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? "3");
const ROUNDS = 10;
const BATCH_SIZES = [1, 100, 500] as const;
const FORMATS = ["namespace", "access"] as const;
/** Issue #4's goal for Redis. */
const GOAL = 10;

const redis = await startService("redis");
const rows: string[][] = [];
try {
  for (const format of FORMATS) {
    const targets = BATCH_SIZES.map((batchSize) =>
      makeBenchTarget(redisTarget, { address: `127.0.0.1:${redis.port}`, key: `bench_${format}_${batchSize}`, format }),
    );
    for (const result of await compareBatchSizes(targets, BATCH_SIZES, SECONDS, ROUNDS)) {
      rows.push([format, ...resultCells(result.batchSize, result.perSecond, result.ratio, GOAL, result.roundRatios)]);
    }
  }
} finally {
  await redis.dispose();
}
console.log(`Redis target: events/s inside send(), ${SECONDS} s per case in ${ROUNDS} interleaved rounds, one send() awaited at a time, loopback redis-server`);
printTable(["format", "events per send()", "events/s", "vs 1 per send", "goal"], rows);
