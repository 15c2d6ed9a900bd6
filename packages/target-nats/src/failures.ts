import { TargetBatchError, type TargetError } from "@s3notify/core";

export interface Failure {
  readonly index: number;
  readonly error: TargetError;
}

/** Throw nothing, one TargetError for a batch that failed alike, or a TargetBatchError naming what arrived. */
export function throwFailures(label: string, size: number, failures: Failure[]): void {
  if (failures.length === 0) return;
  failures.sort((left, right) => left.index - right.index);
  const first = failures[0] as Failure;
  const retryable = failures.some((failure) => failure.error.retryable);
  if (failures.length === size && failures.every((failure) => failure.error.retryable === retryable)) throw first.error;
  const failed = new Set(failures.map((failure) => failure.index));
  const delivered: number[] = [];
  for (let index = 0; index < size; index++) if (!failed.has(index)) delivered.push(index);
  throw new TargetBatchError(`${label}: ${failures.length} of ${size} messages failed: ${first.error.message}`, { delivered, retryable, cause: first.error });
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Resolves to "timeout" after `ms`, unless cancelled. */
export function deadline(ms: number): { promise: Promise<"timeout">; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}
