import type { EventRecord } from "@s3notify/core";
import { type ConformanceBackend, type RunningService, runTargetConformance, startService } from "@s3notify/testkit";
import mysql from "mysql2/promise";
import mysqlTarget from "./index.js";

// Runs against: a real MariaDB (Debian's, 10.11 on the reference machine) started by testkit's
// startService; each scope is its own table in database `conformance`, read back with `mysql2`
// (a fresh connection per read, so reads survive the outage).

const DATABASE = "conformance";

async function withConnection<T>(service: RunningService, read: (connection: mysql.Connection) => Promise<T>): Promise<T> {
  const connection = await mysql.createConnection({ host: "127.0.0.1", port: service.port, user: "root", connectTimeout: 2_000 });
  connection.on("error", () => undefined);
  try {
    return await read(connection);
  } finally {
    await connection.end().catch(() => connection.destroy());
  }
}

/** Rows of a table that may not exist yet (the target creates it on its first connect). */
async function rowsOf(service: RunningService, sql: string): Promise<mysql.RowDataPacket[]> {
  return withConnection(service, async (connection) => {
    try {
      const [rows] = await connection.query<mysql.RowDataPacket[]>(sql);
      return rows;
    } catch (error) {
      if ((error as { errno?: number }).errno === 1146) return [];
      throw error;
    }
  });
}

/** mysql2 parses a JSON column itself when the server marks it as JSON (MariaDB 10.5+ does for its LONGTEXT alias). */
const firstRecord = (value: unknown) => ((typeof value === "string" ? JSON.parse(value) : value) as { Records: [EventRecord] }).Records[0];

async function mariadbBackend(): Promise<ConformanceBackend> {
  const service = await startService("mariadb");
  await withConnection(service, (connection) => connection.query(`CREATE DATABASE ${DATABASE} CHARACTER SET utf8mb4`));
  return {
    config: (scope, format) => ({
      dsn_string: `root@tcp(127.0.0.1:${service.port})/${DATABASE}`,
      table: scope,
      format: format ?? "namespace",
    }),
    // access: no key in MinIO's table, so InnoDB's hidden row id keeps the insertion order.
    readEvents: async (scope) => (await rowsOf(service, `SELECT event_data FROM ${DATABASE}.${scope}`)).map((row) => firstRecord(row.event_data)),
    // namespace: key_name bucket/object → {"Records":[record]}
    readState: async (scope) =>
      new Map((await rowsOf(service, `SELECT key_name, value FROM ${DATABASE}.${scope}`)).map((row) => [String(row.key_name), firstRecord(row.value)])),
    stop: () => service.stop(),
    start: () => service.start(),
    close: () => service.dispose(),
  };
}

runTargetConformance({
  plugin: mysqlTarget,
  backend: mariadbBackend,
  formats: [
    { format: "namespace", shape: "namespace" },
    { format: "access", shape: "log" },
  ],
  invalidConfigs: [
    { description: "unknown format", values: { format: "json" }, key: "format" },
    { description: "empty table", values: { table: "" }, key: "table" },
    { description: "SQL injection in the table name", values: { table: "t; DROP TABLE x" }, key: "table" },
    { description: "negative max_open_connections", values: { max_open_connections: "-1" }, key: "max_open_connections" },
    { description: "a DSN without the database slash", values: { dsn_string: "root:pw@tcp(127.0.0.1:3306)" }, key: "dsn_string" },
    { description: "no DSN and no host", values: { dsn_string: "" }, key: "dsn_string" },
  ],
});
