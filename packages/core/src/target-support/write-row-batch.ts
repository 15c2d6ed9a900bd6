import { S3NotifyError } from "../errors/s3notify-error.js";
import { TargetBatchError, type TargetError } from "../errors/target-error.js";
import type { EventRecord } from "../types.js";
import { type OperationRun, planOperation, type RowOperation, toRuns } from "./row-batch-plan.js";

/** What a table target supplies to writeRowBatch. */
export interface RowBatchWriter {
  readonly format: "namespace" | "access";
  /** Runs the operations as one transaction (all applied, or none). */
  runInTransaction(runs: readonly OperationRun[]): Promise<void>;
  /** The target's error for a failure: permanent when the same rows would fail again. */
  classify(error: unknown): S3NotifyError;
}

/**
 * A batch as a table target writes it (PostgreSQL, MySQL): every record planned, then one
 * transaction. When the server refuses the batch for good (a data error), or some record can never
 * be written, the others are written one by one, in order, so that only the bad ones are refused
 * (`TargetBatchError` names what was written). A retryable failure is thrown as it is.
 */
export async function writeRowBatch(batch: readonly EventRecord[], writer: RowBatchWriter): Promise<void> {
  if (batch.length === 0) return;
  const planned = batch.map((record, index) => planOperation(record, index, writer.format));
  const operations = planned.filter(isOperation);
  if (operations.length === batch.length) {
    try {
      await writer.runInTransaction(toRuns(operations));
      return;
    } catch (error) {
      const failure = writer.classify(error);
      if (failure.retryable || batch.length === 1) throw failure;
    }
  } else if (batch.length === 1) {
    throw planned[0];
  }
  await writeOneByOne(planned, batch.length, writer);
}

async function writeOneByOne(planned: readonly (RowOperation | TargetError)[], total: number, writer: RowBatchWriter): Promise<void> {
  const delivered: number[] = [];
  let firstRefusal: S3NotifyError | undefined;
  for (const item of planned) {
    if (!isOperation(item)) {
      firstRefusal ??= item;
      continue;
    }
    try {
      await writer.runInTransaction(toRuns([item]));
      delivered.push(item.index);
    } catch (error) {
      const failure = writer.classify(error);
      if (!failure.retryable) {
        firstRefusal ??= failure;
        continue;
      }
      if (delivered.length === 0) throw failure;
      throw new TargetBatchError(`${delivered.length} of ${total} records written; then: ${failure.message}`, { delivered, cause: failure, retryable: true });
    }
  }
  if (firstRefusal === undefined) return;
  throw new TargetBatchError(`${total - delivered.length} of ${total} records refused: ${firstRefusal.message}`, {
    delivered,
    cause: firstRefusal,
    retryable: false,
  });
}

function isOperation(item: RowOperation | TargetError): item is RowOperation {
  return !S3NotifyError.isInstance(item);
}
