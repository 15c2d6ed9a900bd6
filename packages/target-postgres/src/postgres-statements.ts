import type { OperationRun } from "@s3notify/core";
import type { PostgresFormat } from "./types.js";

/** MinIO's exact CREATE TABLE statements (facts §6.7). */
export function createTableStatement(table: string, format: PostgresFormat): string {
  return format === "namespace"
    ? `CREATE TABLE ${table} (key VARCHAR PRIMARY KEY, value JSONB);`
    : `CREATE TABLE ${table} (event_time TIMESTAMP WITH TIME ZONE NOT NULL, event_data JSONB);`;
}

/** MinIO probes with `SELECT 1 FROM <table>;`; LIMIT 1 keeps the probe cheap on a big table. */
export function probeTableStatement(table: string): string {
  return `SELECT 1 FROM ${table} LIMIT 1;`;
}

export interface Statement {
  readonly text: string;
  readonly values: unknown[];
}

/**
 * One statement for a run. A one-row run gives MinIO's exact statement; more rows
 * give the same statement with a multi-row VALUES list (or an IN list for deletes).
 */
export function runStatement(table: string, run: OperationRun): Statement {
  const values: unknown[] = [];
  const placeholder = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  switch (run.kind) {
    case "upsert": {
      const rows = run.operations.map((operation) => (operation.kind === "upsert" ? `(${placeholder(operation.key)}, ${placeholder(operation.value)})` : ""));
      return {
        text: `INSERT INTO ${table} (key, value) VALUES ${rows.join(", ")} ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value;`,
        values,
      };
    }
    case "delete": {
      const keys = run.operations.map((operation) => (operation.kind === "delete" ? placeholder(operation.key) : ""));
      const condition = keys.length === 1 ? `key = ${keys[0]}` : `key IN (${keys.join(", ")})`;
      return { text: `DELETE FROM ${table} WHERE ${condition};`, values };
    }
    case "append": {
      const rows = run.operations.map((operation) =>
        operation.kind === "append" ? `(${placeholder(operation.time.toISOString())}, ${placeholder(operation.data)})` : "",
      );
      return { text: `INSERT INTO ${table} (event_time, event_data) VALUES ${rows.join(", ")};`, values };
    }
  }
}
