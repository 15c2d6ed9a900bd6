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
import { makeBenchTarget, nextBenchRecord } from "./support.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? "3");
const ROUNDS = 10;
const BATCH_SIZES = [1, 100, 500] as const;
const FORMATS = ["namespace", "access"] as const;
const GOAL = 5;
const SETTINGS = [
  { durable: true, title: "server durability defaults (PostgreSQL fsync + synchronous_commit on, InnoDB flush at every commit)" },
  { durable: false, title: "log flushes off (PostgreSQL fsync/synchronous_commit off, innodb_flush_log_at_trx_commit=0)" },
] as const;

/** Time spent inside send() only: building the records is the host's cost, the same for every batch size. */
interface Measurement {
  events: number;
  sendMs: number;
}

/** Sends batches of `batchSize` fresh events, one send at a time, for `seconds`; adds to `into`. */
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
  readonly target: string;
  readonly format: string;
  readonly batchSize: number;
  readonly events: number;
  readonly perSecond: number;
  readonly ratio: number;
}

async function benchTarget(name: string, targetFor: (table: string, format: string) => Target): Promise<Row[]> {
  const rows: Row[] = [];
  for (const format of FORMATS) {
    const targets = BATCH_SIZES.map((batchSize) => targetFor(`bench_${format}_${batchSize}`, format));
    try {
      const measurements = BATCH_SIZES.map(() => ({ events: 0, sendMs: 0 }));
      // Warm up: connection, table creation, prepared statements.
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
      for (const [index, batchSize] of BATCH_SIZES.entries()) {
        const perSecond = rates[index] as number;
        const events = (measurements[index] as Measurement).events;
        rows.push({ target: name, format, batchSize, events, perSecond, ratio: perSecond / (rates[0] as number) });
      }
    } finally {
      await Promise.all(targets.map((target) => target.close()));
    }
  }
  return rows;
}

function printTable(rows: readonly Row[]): void {
  const header = ["target", "format", "events per send()", "events", "events/s", "vs 1 per send", `goal ${GOAL}x`];
  const lines = rows.map((row) => [
    row.target,
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
    printTable(table.rows);
  }
}

await main();
