import type { RowOperation } from "@s3notify/core";
import { describe, expect, it } from "vitest";
import { mysqlDateTime, runStatement } from "./mysql-statements.js";

const upsert = (index: number, key: string): RowOperation => ({ kind: "upsert", index, key, value: `{"n":${index}}` });
const remove = (index: number, key: string): RowOperation => ({ kind: "delete", index, key });

describe("MySQL statements", () => {
  it("sends MinIO's exact statements for one-row runs", () => {
    expect(runStatement("t", { kind: "upsert", operations: [upsert(0, "b/k")] })).toEqual({
      text: "INSERT INTO t (key_name, value) VALUES (?, ?) ON DUPLICATE KEY UPDATE value=VALUES(value);",
      values: ["b/k", '{"n":0}'],
    });
    expect(runStatement("t", { kind: "delete", operations: [remove(0, "b/k")] })).toEqual({
      text: "DELETE FROM t WHERE key_hash = SHA2(?, 256);",
      values: ["b/k"],
    });
    const time = new Date("2026-01-02T03:04:05.678Z");
    expect(runStatement("t", { kind: "append", operations: [{ kind: "append", index: 0, time, data: "{}" }] })).toEqual({
      text: "INSERT INTO t (event_time, event_data) VALUES (?, ?);",
      values: ["2026-01-02 03:04:05.678", "{}"],
    });
  });

  it("lists several rows in one statement", () => {
    expect(runStatement("t", { kind: "upsert", operations: [upsert(0, "a"), upsert(1, "b")] })).toEqual({
      text: "INSERT INTO t (key_name, value) VALUES (?, ?), (?, ?) ON DUPLICATE KEY UPDATE value=VALUES(value);",
      values: ["a", '{"n":0}', "b", '{"n":1}'],
    });
    expect(runStatement("t", { kind: "delete", operations: [remove(0, "a"), remove(1, "b")] }).text).toBe(
      "DELETE FROM t WHERE key_hash IN (SHA2(?, 256), SHA2(?, 256));",
    );
  });

  it("formats times in UTC with milliseconds", () => {
    expect(mysqlDateTime(new Date("1999-12-31T23:59:59.999Z"))).toBe("1999-12-31 23:59:59.999");
  });
});
