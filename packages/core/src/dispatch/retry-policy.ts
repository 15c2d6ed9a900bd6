import type { RetryPolicy } from "../types.js";

/** Capped exponential backoff with full jitter: 100 ms doubling up to 30 s; retryable errors are retried forever (MinIO's behaviour). */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({ initialDelayMs: 100, maxDelayMs: 30_000, maxAttempts: Number.POSITIVE_INFINITY });

export function resolveRetryPolicy(policy: Partial<RetryPolicy> = {}): RetryPolicy {
  return {
    initialDelayMs: policy.initialDelayMs ?? DEFAULT_RETRY_POLICY.initialDelayMs,
    maxDelayMs: policy.maxDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs,
    maxAttempts: policy.maxAttempts !== undefined && policy.maxAttempts > 0 ? policy.maxAttempts : DEFAULT_RETRY_POLICY.maxAttempts,
  };
}

/** The wait before retry number `attempt` (1-based): uniform in [0, min(max, initial·2^(attempt-1))]. */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.min(attempt - 1, 40));
  return Math.floor(random() * ceiling);
}

/** Resolves after `ms`, or at once when the signal aborts (then false). */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
