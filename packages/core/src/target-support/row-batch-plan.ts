import { permanentError, type TargetError } from "../errors/target-error.js";
import { objectPath, recordsJson } from "../event/envelope.js";
import type { EventRecord } from "../types.js";

/**
 * Row operations for the table targets (PostgreSQL, MySQL): MinIO's namespace and access
 * semantics (facts §6.11) planned once, so that each target only renders its own SQL.
 */

/** The only event name that removes a row in the `namespace` format (facts §6.11). */
export const DELETE_EVENT_NAME = "s3:ObjectRemoved:Delete";

export type RowOperation =
  | { readonly kind: "upsert"; readonly index: number; readonly key: string; readonly value: string }
  | { readonly kind: "delete"; readonly index: number; readonly key: string }
  | { readonly kind: "append"; readonly index: number; readonly time: Date; readonly data: string };

/** Consecutive operations of one kind: sent as one multi-row statement. */
export interface OperationRun {
  readonly kind: RowOperation["kind"];
  readonly operations: readonly RowOperation[];
}

/** The row operation for one record, or the permanent error that keeps it from ever being written. */
export function planOperation(record: EventRecord, index: number, format: "namespace" | "access"): RowOperation | TargetError {
  if (format === "access") {
    const time = new Date(record.eventTime);
    if (Number.isNaN(time.getTime())) return permanentError(`record ${index}: eventTime is not a valid time`);
    return { kind: "append", index, time, data: recordsJson(record) };
  }
  const key = objectPath(record);
  if (record.eventName === DELETE_EVENT_NAME) return { kind: "delete", index, key };
  return { kind: "upsert", index, key, value: recordsJson(record) };
}

/**
 * Split operations into runs of one kind, in order. Within a run of upserts only
 * the last record per key is kept (an upsert statement may not touch a row twice,
 * and the last one wins anyway); a run of deletes lists each key once. Running the
 * runs in order keeps "Delete then Put → present" and "Put then Delete → absent".
 */
export function toRuns(operations: readonly RowOperation[]): OperationRun[] {
  const runs: { kind: RowOperation["kind"]; operations: RowOperation[] }[] = [];
  for (const operation of operations) {
    const last = runs[runs.length - 1];
    if (last && last.kind === operation.kind) last.operations.push(operation);
    else runs.push({ kind: operation.kind, operations: [operation] });
  }
  return runs.map((run) => (run.kind === "append" ? run : { kind: run.kind, operations: lastPerKey(run.operations) }));
}

function lastPerKey(operations: readonly RowOperation[]): RowOperation[] {
  const byKey = new Map<string, RowOperation>();
  for (const operation of operations) {
    if (operation.kind === "append") continue;
    byKey.delete(operation.key);
    byKey.set(operation.key, operation);
  }
  return [...byKey.values()];
}

/** Split a list into chunks of at most `size` items. */
export function chunk<Item>(items: readonly Item[], size: number): Item[][] {
  const chunks: Item[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}
