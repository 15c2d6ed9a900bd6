import { describe, expect, it } from "vitest";
import type { S3NotifyError } from "../errors/s3notify-error.js";
import { permanentError, retryableError, TargetBatchError } from "../errors/target-error.js";
import { sampleRecord } from "../store/sample-record.test-helper.js";
import type { EventRecord } from "../types.js";
import type { OperationRun } from "./row-batch-plan.js";
import { writeRowBatch } from "./write-row-batch.js";

/** A table in memory: refuses rows whose key contains "bad" (for good) and fails retryably once `down` is set. */
function fakeTable() {
  const rows: string[] = [];
  const transactions: string[][] = [];
  const state = { down: false, failAfter: Number.POSITIVE_INFINITY };
  return {
    rows,
    transactions,
    state,
    writer: {
      format: "access" as const,
      async runInTransaction(runs: readonly OperationRun[]) {
        const keys = runs.flatMap((run) =>
          run.operations.map((operation) => (operation.kind === "append" ? (JSON.parse(operation.data).Records[0] as EventRecord).s3.object.key : "")),
        );
        if (state.down || transactions.length >= state.failAfter) throw new Error("connection reset");
        if (keys.some((key) => key.includes("bad"))) throw new Error("data error");
        transactions.push(keys);
        rows.push(...keys);
      },
      classify: (error: unknown): S3NotifyError =>
        (error as Error).message === "data error" ? permanentError("refused", error) : retryableError((error as Error).message, error),
    },
  };
}

const batchOf = (...keys: string[]) => keys.map((key) => sampleRecord(key));

describe("writeRowBatch", () => {
  it("writes a batch in one transaction", async () => {
    const table = fakeTable();
    await writeRowBatch(batchOf("a", "b", "c"), table.writer);
    expect(table.transactions).toEqual([["a", "b", "c"]]);
  });

  it("when the server refuses the batch, writes the others one by one and names what was written", async () => {
    const table = fakeTable();
    const error = await writeRowBatch(batchOf("a", "bad", "c"), table.writer).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TargetBatchError);
    expect((error as TargetBatchError).delivered).toEqual([0, 2]);
    expect((error as TargetBatchError).retryable).toBe(false);
    expect(table.rows).toEqual(["a", "c"]);
  });

  it("a retryable failure during the one-by-one pass keeps what was written and is retryable", async () => {
    const table = fakeTable();
    table.state.failAfter = 1;
    const error = await writeRowBatch(batchOf("a", "bad", "c", "d"), table.writer).catch((caught: unknown) => caught);
    expect((error as TargetBatchError).delivered).toEqual([0]);
    expect((error as TargetBatchError).retryable).toBe(true);
  });

  it("throws a retryable failure of the whole batch as it is, and a single refused record as a permanent error", async () => {
    const table = fakeTable();
    table.state.down = true;
    await expect(writeRowBatch(batchOf("a", "b"), table.writer)).rejects.toMatchObject({ retryable: true, message: "connection reset" });
    table.state.down = false;
    const single = await writeRowBatch(batchOf("bad"), table.writer).catch((caught: unknown) => caught);
    expect(single).not.toBeInstanceOf(TargetBatchError);
    expect((single as S3NotifyError).retryable).toBe(false);
  });
});
