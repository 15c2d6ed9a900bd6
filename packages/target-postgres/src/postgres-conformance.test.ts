import type { EventRecord } from "@s3notify/core";
import { type ConformanceBackend, type RunningService, runTargetConformance, startService } from "@s3notify/testkit";
import pg from "pg";
import postgresTarget from "./index.js";

// Runs against: a real PostgreSQL (Debian's, 15 on the reference machine) started by testkit's
// startService; each scope is its own table, read back with `pg` (a fresh connection per read,
// so reads survive the outage).

async function withClient<T>(service: RunningService, read: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: service.url, connectionTimeoutMillis: 2_000 });
  client.on("error", () => undefined);
  await client.connect();
  try {
    return await read(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Rows of a table that may not exist yet (the target creates it on its first connect). */
async function rowsOf<Row>(service: RunningService, sql: string): Promise<Row[]> {
  return withClient(service, async (client) => {
    try {
      return (await client.query(sql)).rows as Row[];
    } catch (error) {
      if ((error as { code?: string }).code === "42P01") return [];
      throw error;
    }
  });
}

async function postgresBackend(): Promise<ConformanceBackend> {
  const service = await startService("postgres");
  return {
    config: (scope, format) => ({
      connection_string: `host=127.0.0.1 port=${service.port} user=postgres dbname=postgres sslmode=disable`,
      table: scope,
      format: format ?? "namespace",
    }),
    // access: one row per event; ctid order is insertion order in an append-only heap table.
    readEvents: async (scope) =>
      (await rowsOf<{ event_data: { Records: [EventRecord] } }>(service, `SELECT event_data FROM ${scope} ORDER BY ctid`)).map(
        (row) => row.event_data.Records[0],
      ),
    // namespace: key bucket/object → {"Records":[record]}
    readState: async (scope) =>
      new Map(
        (await rowsOf<{ key: string; value: { Records: [EventRecord] } }>(service, `SELECT key, value FROM ${scope}`)).map((row) => [
          row.key,
          row.value.Records[0],
        ]),
      ),
    stop: () => service.stop(),
    start: () => service.start(),
    close: () => service.dispose(),
  };
}

runTargetConformance({
  plugin: postgresTarget,
  backend: postgresBackend,
  formats: [
    { format: "namespace", shape: "namespace" },
    { format: "access", shape: "log" },
  ],
  invalidConfigs: [
    { description: "unknown format", values: { format: "json" }, key: "format" },
    { description: "empty table", values: { table: "" }, key: "table" },
    { description: "SQL injection in the table name", values: { table: "t; DROP TABLE x" }, key: "table" },
    { description: "schema-qualified table", values: { table: "public.t" }, key: "table" },
    { description: "negative max_open_connections", values: { max_open_connections: "-1" }, key: "max_open_connections" },
    { description: "unterminated quote in the connection string", values: { connection_string: "host=h password='x" }, key: "connection_string" },
    { description: "no connection string and no host", values: { connection_string: "" }, key: "connection_string" },
  ],
});
