import { type RowOperation, toRuns } from "@s3notify/core";
import { describe, expect, it } from "vitest";
import { createTableStatement, runStatement } from "./postgres-statements.js";

const upsert = (index: number, key: string): RowOperation => ({ kind: "upsert", index, key, value: `{"n":${index}}` });
const remove = (index: number, key: string): RowOperation => ({ kind: "delete", index, key });

describe("PostgreSQL statements", () => {
  it("creates MinIO's tables", () => {
    expect(createTableStatement("t", "namespace")).toBe("CREATE TABLE t (key VARCHAR PRIMARY KEY, value JSONB);");
    expect(createTableStatement("t", "access")).toBe("CREATE TABLE t (event_time TIMESTAMP WITH TIME ZONE NOT NULL, event_data JSONB);");
  });

  it("sends MinIO's exact statements for one-row runs", () => {
    expect(runStatement("t", { kind: "upsert", operations: [upsert(0, "b/k")] })).toEqual({
      text: "INSERT INTO t (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value;",
      values: ["b/k", '{"n":0}'],
    });
    expect(runStatement("t", { kind: "delete", operations: [remove(0, "b/k")] })).toEqual({
      text: "DELETE FROM t WHERE key = $1;",
      values: ["b/k"],
    });
    const time = new Date("2026-01-02T03:04:05.678Z");
    expect(runStatement("t", { kind: "append", operations: [{ kind: "append", index: 0, time, data: "{}" }] })).toEqual({
      text: "INSERT INTO t (event_time, event_data) VALUES ($1, $2);",
      values: ["2026-01-02T03:04:05.678Z", "{}"],
    });
  });

  it("numbers the parameters of multi-row runs", () => {
    expect(runStatement("t", { kind: "upsert", operations: [upsert(0, "a"), upsert(1, "b")] }).text).toBe(
      "INSERT INTO t (key, value) VALUES ($1, $2), ($3, $4) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value;",
    );
    expect(runStatement("t", { kind: "delete", operations: [remove(0, "a"), remove(1, "b")] }).text).toBe("DELETE FROM t WHERE key IN ($1, $2);");
  });
});

describe("toRuns", () => {
  it("groups consecutive operations of one kind, keeping order, and the last upsert per key within a run", () => {
    const runs = toRuns([upsert(0, "a"), upsert(1, "b"), upsert(2, "a"), remove(3, "a"), remove(4, "a"), upsert(5, "a")]);
    expect(runs.map((run) => [run.kind, run.operations.map((operation) => operation.index)])).toEqual([
      ["upsert", [1, 2]],
      ["delete", [4]],
      ["upsert", [5]],
    ]);
  });
});
