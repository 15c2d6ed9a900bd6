import type { OperationRun } from "@s3notify/core";
import type { MysqlFlavour, MysqlFormat } from "./types.js";

/**
 * MinIO's exact CREATE TABLE statements (facts §6.8). MariaDB refuses MinIO's
 * namespace statement (no NOT NULL and no PRIMARY KEY on a generated column), so
 * there the hash gets a UNIQUE KEY instead: the same columns, and the same
 * ON DUPLICATE KEY UPDATE and DELETE ... WHERE key_hash semantics.
 */
export function createTableStatement(table: string, format: MysqlFormat, flavour: MysqlFlavour): string {
  if (format === "access") return `CREATE TABLE ${table} (event_time DATETIME NOT NULL, event_data JSON) ROW_FORMAT = Dynamic;`;
  if (flavour === "mariadb") {
    return `CREATE TABLE ${table} (key_name VARCHAR(3072) NOT NULL, key_hash CHAR(64) GENERATED ALWAYS AS (SHA2(key_name, 256)) STORED, value JSON, UNIQUE KEY (key_hash)) CHARACTER SET = utf8mb4 COLLATE = utf8mb4_bin ROW_FORMAT = Dynamic;`;
  }
  return `CREATE TABLE ${table} (key_name VARCHAR(3072) NOT NULL, key_hash CHAR(64) GENERATED ALWAYS AS (SHA2(key_name, 256)) STORED NOT NULL PRIMARY KEY, value JSON) CHARACTER SET = utf8mb4 COLLATE = utf8mb4_bin ROW_FORMAT = Dynamic;`;
}

/** MinIO probes with `SELECT 1 FROM <table>;`; LIMIT 1 keeps the probe cheap on a big table. */
export function probeTableStatement(table: string): string {
  return `SELECT 1 FROM ${table} LIMIT 1;`;
}

export interface Statement {
  readonly text: string;
  readonly values: (string | number)[];
}

/** `YYYY-MM-DD HH:MM:SS.mmm` in UTC, as go-sql-driver sends a time.Time (the DATETIME column keeps seconds). */
export function mysqlDateTime(time: Date): string {
  return time.toISOString().replace("T", " ").replace("Z", "");
}

/**
 * One statement for a run. A one-row run gives MinIO's exact statement; more rows
 * give the same statement with a multi-row VALUES list (or an IN list for deletes).
 */
export function runStatement(table: string, run: OperationRun): Statement {
  const values: (string | number)[] = [];
  switch (run.kind) {
    case "upsert": {
      const rows = run.operations.map((operation) => {
        if (operation.kind === "upsert") values.push(operation.key, operation.value);
        return "(?, ?)";
      });
      return {
        text: `INSERT INTO ${table} (key_name, value) VALUES ${rows.join(", ")} ON DUPLICATE KEY UPDATE value=VALUES(value);`,
        values,
      };
    }
    case "delete": {
      const hashes = run.operations.map((operation) => {
        if (operation.kind === "delete") values.push(operation.key);
        return "SHA2(?, 256)";
      });
      const condition = hashes.length === 1 ? `key_hash = ${hashes[0]}` : `key_hash IN (${hashes.join(", ")})`;
      return { text: `DELETE FROM ${table} WHERE ${condition};`, values };
    }
    case "append": {
      const rows = run.operations.map((operation) => {
        if (operation.kind === "append") values.push(mysqlDateTime(operation.time), operation.data);
        return "(?, ?)";
      });
      return { text: `INSERT INTO ${table} (event_time, event_data) VALUES ${rows.join(", ")};`, values };
    }
  }
}
