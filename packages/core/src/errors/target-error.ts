import { S3NotifyError } from "./s3notify-error.js";

/** A failed send. `retryable: false` means the event can never succeed and goes to the dead letters. */
export class TargetError extends S3NotifyError {
  constructor(message: string, options: { cause?: unknown; retryable: boolean; code?: string }) {
    super(options.code ?? (options.retryable ? "S3NOTIFY_ERR_TARGET_UNAVAILABLE" : "S3NOTIFY_ERR_TARGET_REJECTED"), message, options);
  }
}

/**
 * Part of a batch was delivered. `delivered` lists the indexes of the batch that
 * arrived; core retries or dead-letters only the others, using `cause` to decide.
 */
export class TargetBatchError extends S3NotifyError {
  readonly delivered: readonly number[];
  constructor(message: string, options: { delivered: readonly number[]; cause?: unknown; retryable: boolean }) {
    super("S3NOTIFY_ERR_TARGET_PARTIAL", message, options);
    this.delivered = options.delivered;
  }
}

/**
 * The error for a batch whose first `delivered` records arrived before `failure` (ordered targets that
 * send a batch in parts): `failure` itself when nothing arrived, a TargetBatchError naming that prefix
 * otherwise, with `done` saying what happened to it (`records written`, `events published`).
 */
export function failedAfterPrefix(delivered: number, total: number, failure: S3NotifyError, done: string): S3NotifyError {
  if (delivered === 0) return failure;
  return new TargetBatchError(`${delivered} of ${total} ${done}; then: ${failure.message}`, {
    delivered: Array.from({ length: delivered }, (_, index) => index),
    cause: failure,
    retryable: failure.retryable,
  });
}

/** Shorthand for targets: a retryable failure (backend down, timeout). */
export function retryableError(message: string, cause?: unknown): TargetError {
  return new TargetError(message, { cause, retryable: true });
}

/** Shorthand for targets: a permanent failure (payload refused, schema mismatch). */
export function permanentError(message: string, cause?: unknown): TargetError {
  return new TargetError(message, { cause, retryable: false });
}

/** Whether core should retry after `error` was thrown by a target. Unknown errors are retryable. */
export function isRetryable(error: unknown): boolean {
  return S3NotifyError.isInstance(error) ? error.retryable : true;
}
