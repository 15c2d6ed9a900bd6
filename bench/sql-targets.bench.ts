// SQL targets: events/s when core hands the target one event per send() (awaited
// one at a time, what MinIO does: one statement per event) against batches of 100
// and 500 (one multi-row statement in one transaction), on the same throw-away
// PostgreSQL and MariaDB servers in the same run. Twice: once with each server's own
// durability defaults (a commit waits for its log flush: what production runs, and
// what the 5x goal is checked on), once with those flushes off (CPU-bound: the
// ceiling when the disk costs nothing).
//
//   npx tsx bench/sql-targets.bench.ts      (BENCH_SECONDS=3 per case, in 10 interleaved rounds; needs `pnpm build` for core and testkit)

import type { Target } from "@s3notify/core";
import { type RunningService, startService } from "@s3notify/testkit";
import mysql from "mysql2/promise";
import { mysqlPlugin } from "../packages/target-mysql/src/index.js";
import { postgresPlugin } from "../packages/target-postgres/src/index.js";
import { compareBatchSizes, makeBenchTarget, printTable, resultCells } from "./support.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? "3");
const ROUNDS = 10;
const BATCH_SIZES = [1, 100, 500] as const;
const FORMATS = ["namespace", "access"] as const;
const GOAL = 5;
const SETTINGS = [
  { durable: true, title: "server durability defaults (PostgreSQL fsync + synchronous_commit on, InnoDB flush at every commit)" },
  { durable: false, title: "log flushes off (PostgreSQL fsync/synchronous_commit off, innodb_flush_log_at_trx_commit=0)" },
] as const;

/** One table row: target, format, events per send(), events/s, ratio, goal verdict. */
type Row = string[];

async function benchTarget(name: string, targetFor: (table: string, format: string) => Target): Promise<Row[]> {
  const rows: Row[] = [];
  for (const format of FORMATS) {
    const targets = BATCH_SIZES.map((batchSize) => targetFor(`bench_${format}_${batchSize}`, format));
    for (const result of await compareBatchSizes(targets, BATCH_SIZES, SECONDS, ROUNDS)) {
      rows.push([name, format, ...resultCells(result.batchSize, result.perSecond, result.ratio, GOAL, result.roundRatios)]);
    }
  }
  return rows;
}

async function benchSetting(durable: boolean): Promise<Row[]> {
  const services: RunningService[] = [];
  try {
    const [postgres, mariadb] = await Promise.all([startService("postgres", { durable }), startService("mariadb", { durable })]);
    services.push(postgres, mariadb);
    const admin = await mysql.createConnection({ host: "127.0.0.1", port: mariadb.port, user: "root" });
    await admin.query("CREATE DATABASE bench CHARACTER SET utf8mb4");
    await admin.end();

    return [
      ...(await benchTarget("postgres", (table, format) =>
        makeBenchTarget(postgresPlugin, {
          connection_string: `host=127.0.0.1 port=${postgres.port} user=postgres dbname=postgres sslmode=disable`,
          table,
          format,
        }),
      )),
      ...(await benchTarget("mysql (MariaDB)", (table, format) =>
        makeBenchTarget(mysqlPlugin, { dsn_string: `root@tcp(127.0.0.1:${mariadb.port})/bench`, table, format }),
      )),
    ];
  } finally {
    await Promise.all(services.map((service) => service.dispose()));
  }
}

async function main(): Promise<void> {
  const tables: { title: string; rows: Row[] }[] = [];
  for (const setting of SETTINGS) tables.push({ title: setting.title, rows: await benchSetting(setting.durable) });
  console.log(`SQL targets: events/s inside send(), ${SECONDS} s per case in ${ROUNDS} interleaved rounds, one send() awaited at a time, loopback servers`);
  for (const table of tables) {
    console.log(`\n${table.title}:`);
    printTable(["target", "format", "events per send()", "events/s", "vs 1 per send", "goal"], table.rows);
  }
}

await main();
