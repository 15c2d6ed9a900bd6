import { S3NotifyError } from "../errors/s3notify-error.js";
import { isRetryable, TargetBatchError } from "../errors/target-error.js";
import { recordJson } from "../event/record-json.js";
import type { LogConsumer, LogEntry } from "../store/event-log.js";
import type { Logger, RetryPolicy, Target, TargetStats } from "../types.js";
import { backoffDelay, resolveRetryPolicy, sleep } from "./retry-policy.js";

export interface TargetRunnerOptions {
  readonly target: Target;
  /** `<ID>:<TYPE>` */
  readonly targetId: string;
  readonly arn: string;
  readonly consumer: LogConsumer;
  /** True when the log survives a restart (file log): close leaves what is left there instead of draining. */
  readonly durable: boolean;
  readonly retry?: Partial<RetryPolicy>;
  readonly logger?: Logger;
  /** Jitter source, for tests. */
  readonly random?: () => number;
  /** Counters of the runner this one replaces (reconfigure), so that stats keep counting. */
  readonly carryOver?: TargetStats;
  /** Hides secrets in error text before it reaches stats, logs and dead letters (createNotifier passes the target's secret values). */
  readonly redact?: (text: string) => string;
}

/** What close() left behind. */
export interface RunnerCloseResult {
  /** Entries still pending in a durable log, delivered after the next start. */
  readonly persisted: number;
  /** Entries of a memory log that could not be delivered in time: lost. */
  readonly dropped: number;
}

function describeError(error: unknown): string {
  if (error instanceof Error) return S3NotifyError.isInstance(error) ? `${error.code}: ${error.message}` : error.message;
  return String(error);
}

/**
 * Delivers one target's log: batches of up to capabilities.maxBatchSize, in
 * order, one batch at a time. Retryable failures are retried with capped
 * exponential backoff and full jitter; a permanent failure is narrowed down by
 * splitting the batch so that only the bad records become dead letters.
 */
export class TargetRunner {
  readonly targetId: string;
  readonly arn: string;
  readonly target: Target;
  private readonly consumer: LogConsumer;
  private readonly durable: boolean;
  private readonly policy: RetryPolicy;
  private readonly logger: Logger | undefined;
  private readonly random: () => number;
  private readonly stop = new AbortController();
  /** Calls off the read-ahead: aborted on stop and on every rewind (then replaced). */
  private reads = new AbortController();
  /** The next batch, being read while the current one is delivered. */
  private ahead: Promise<LogEntry[]> | undefined;
  private loop: Promise<void> | undefined;
  private opened = false;
  private healthy = false;
  private stopping = false;
  /** A dead letter failed to be written during the current batch. */
  private unsettled = false;
  private idleWaiters = new Set<() => void>();
  private counters = { sent: 0, failed: 0, retried: 0, refused: 0, deadLettered: 0, lost: 0 };
  private lastError: string | undefined;
  private readonly redact: (text: string) => string;

  constructor(options: TargetRunnerOptions) {
    this.target = options.target;
    this.targetId = options.targetId;
    this.arn = options.arn;
    this.consumer = options.consumer;
    this.durable = options.durable;
    this.policy = resolveRetryPolicy(options.retry);
    this.logger = options.logger;
    this.random = options.random ?? Math.random;
    this.redact = options.redact ?? ((text) => text);
    const previous = options.carryOver;
    if (previous) {
      this.counters = {
        sent: previous.sent,
        failed: previous.failed,
        retried: previous.retried,
        refused: 0,
        deadLettered: previous.deadLettered,
        lost: previous.dropped - previous.deadLettered,
      };
    }
  }

  start(): void {
    this.loop ??= this.run().catch((error: unknown) => {
      this.lastError = this.describe(error);
      this.logger?.error("target runner stopped on an unexpected error", { targetId: this.targetId, error: this.lastError });
    });
  }

  /** Counts events the store refused for this target (queue full). */
  recordRefused(count = 1): void {
    this.counters.refused += count;
  }

  stats(): TargetStats {
    return {
      targetId: this.targetId,
      arn: this.arn,
      active: this.opened && this.healthy,
      sent: this.counters.sent,
      failed: this.counters.failed,
      queued: this.consumer.pending(),
      retried: this.counters.retried,
      dropped: this.counters.refused + this.counters.deadLettered + this.counters.lost,
      deadLettered: this.counters.deadLettered,
      ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
    };
  }

  /** Resolves true once nothing is pending for this target, false when the timeout passes first. */
  whenIdle(timeoutMs: number): Promise<boolean> {
    if (this.consumer.pending() === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (idle: boolean): void => {
        clearTimeout(timer);
        this.idleWaiters.delete(check);
        resolve(idle);
      };
      const check = (): void => {
        if (this.consumer.pending() === 0) done(true);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      this.idleWaiters.add(check);
    });
  }

  private notifyProgress(): void {
    for (const check of [...this.idleWaiters]) check();
  }

  /**
   * Stop: a memory log (unless handed over) is first drained for up to `timeoutMs`; then reading stops,
   * the in-flight send gets what is left of the timeout, and the target is closed.
   * Whatever is left stays in a durable log (delivered after the next start).
   */
  async close(timeoutMs = 5_000, options: { handOver?: boolean } = {}): Promise<RunnerCloseResult> {
    const deadline = Date.now() + timeoutMs;
    // handOver: another runner takes over the same consumer's queue (reconfigure), nothing to drain or drop.
    const keepQueued = this.durable || options.handOver === true;
    if (!keepQueued && this.loop) await this.whenIdle(timeoutMs);
    this.stopping = true;
    this.stop.abort();
    this.reads.abort();
    this.consumer.close();
    if (this.loop) {
      const remaining = Math.max(0, deadline - Date.now());
      let timer: NodeJS.Timeout | undefined;
      const finished = await Promise.race([
        this.loop.then(() => true),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), remaining);
        }),
      ]);
      clearTimeout(timer);
      if (!finished) this.logger?.warn("target runner: in-flight send still running at close", { targetId: this.targetId });
    }
    // A backend that hangs in close() must not hang the host's shutdown: wait at most a second past the deadline.
    let closeTimer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.target.close().catch((error: unknown) => this.logger?.warn("target close failed", { targetId: this.targetId, error: this.describe(error) })),
      new Promise<void>((resolve) => {
        closeTimer = setTimeout(resolve, Math.max(0, deadline - Date.now()) + 1_000);
      }),
    ]);
    clearTimeout(closeTimer);
    this.opened = false;
    const pending = this.consumer.pending();
    if (keepQueued) return { persisted: pending, dropped: 0 };
    if (pending > 0) {
      this.counters.lost += pending;
      this.logger?.error("memory queue not drained at close: events dropped", { targetId: this.targetId, dropped: pending });
    }
    return { persisted: 0, dropped: pending };
  }

  private describe(error: unknown): string {
    return this.redact(describeError(error));
  }

  private async run(): Promise<void> {
    if (!(await this.openTarget())) return;
    const maxBatch = Math.max(1, Math.floor(this.target.capabilities.maxBatchSize || 1));
    let storeFailures = 0;
    while (!this.stopping) {
      try {
        const batch = await (this.ahead ?? this.read(maxBatch));
        this.ahead = undefined;
        if (batch.length === 0) {
          if (this.stopping) break;
          // read() only comes back empty when stopped or when its consumer was closed (replaced): nothing left to do.
          this.logger?.warn("target runner: its log consumer was closed", { targetId: this.targetId });
          break;
        }
        // Read the next batch (from disk, parsed) while this one is on the wire.
        this.ahead = this.read(maxBatch);
        const done = await this.deliver(batch);
        if (!done) {
          // Stopped in the middle of retries: the rest stays pending in the log.
          await this.rewind();
        } else if (this.unsettled) {
          // A dead letter could not be written: read it again (after a pause) rather than leave it behind.
          this.unsettled = false;
          storeFailures++;
          await this.rewind();
          await sleep(backoffDelay(this.policy, storeFailures, this.random), this.stop.signal);
        } else {
          storeFailures = 0;
        }
      } catch (error) {
        // The log itself failed (disk error): keep the entries, read them again after a pause.
        storeFailures++;
        this.lastError = this.describe(error);
        this.logger?.error("event log read failed, retrying", { targetId: this.targetId, error: this.lastError });
        await this.rewind();
        await sleep(backoffDelay(this.policy, storeFailures, this.random), this.stop.signal);
      }
    }
    this.reads.abort();
  }

  /** A read of the next batch; resolves with [] when stopped or called off by a rewind. */
  private read(maxBatch: number): Promise<LogEntry[]> {
    const entries = this.consumer.read(maxBatch, this.reads.signal);
    // Awaited later; a failed read must not count as unhandled meanwhile.
    entries.catch(() => undefined);
    return entries;
  }

  /** Calls off the read-ahead and waits until it has settled; the next read starts at the first unacknowledged entry. */
  private async rewind(): Promise<void> {
    this.reads.abort();
    await this.ahead?.catch(() => undefined);
    this.ahead = undefined;
    if (!this.stopping) this.reads = new AbortController();
    this.consumer.rewind();
  }

  private async openTarget(): Promise<boolean> {
    for (let attempt = 1; !this.stopping; attempt++) {
      try {
        await this.target.open();
        this.opened = true;
        this.healthy = true;
        return true;
      } catch (error) {
        this.lastError = this.describe(error);
        this.logger?.warn("target not reachable, retrying", { targetId: this.targetId, attempt, error: this.lastError });
        await sleep(backoffDelay(this.policy, attempt, this.random), this.stop.signal);
      }
    }
    return false;
  }

  /** Delivers entries in order; false when stopped before all of them were acknowledged or set aside. */
  private async deliver(entries: readonly LogEntry[]): Promise<boolean> {
    let remaining = await this.withoutOversized(entries);
    let attempt = 0;
    while (remaining.length > 0) {
      if (this.stopping && attempt > 0) return false;
      let error: unknown;
      try {
        await this.target.send(remaining.map((entry) => entry.record));
        await this.acknowledge(remaining);
        this.healthy = true;
        return true;
      } catch (caught) {
        error = caught;
      }
      this.counters.failed++;
      this.lastError = this.describe(error);
      if (error instanceof TargetBatchError || (S3NotifyError.isInstance(error) && error.code === "S3NOTIFY_ERR_TARGET_PARTIAL")) {
        const delivered = new Set((error as TargetBatchError).delivered);
        await this.acknowledge(remaining.filter((_entry, index) => delivered.has(index)));
        remaining = remaining.filter((_entry, index) => !delivered.has(index));
        if (remaining.length === 0) return true;
      }
      if (isRetryable(error)) {
        this.healthy = false;
        attempt++;
        if (attempt >= this.policy.maxAttempts) {
          for (const entry of remaining) await this.setAside(entry, `gave up after ${attempt} attempts: ${this.lastError}`);
          return true;
        }
        const delay = backoffDelay(this.policy, attempt, this.random);
        this.logger?.warn(`unable to send log entry to '${this.targetId}' err '${this.lastError}'`, { attempt, retryInMs: delay });
        if (!(await sleep(delay, this.stop.signal))) return false;
        this.counters.retried += remaining.length;
        continue;
      }
      // Permanent: the target reached and refused. Narrow it down to the records it refuses.
      this.healthy = true;
      if (remaining.length === 1) {
        await this.setAside(remaining[0] as LogEntry, this.lastError);
        return true;
      }
      const middle = Math.ceil(remaining.length / 2);
      if (!(await this.deliver(remaining.slice(0, middle)))) return false;
      return this.deliver(remaining.slice(middle));
    }
    return true;
  }

  /** Records larger than capabilities.maxPayloadBytes can never be sent: set them aside before trying. */
  private async withoutOversized(entries: readonly LogEntry[]): Promise<readonly LogEntry[]> {
    const limit = this.target.capabilities.maxPayloadBytes;
    if (limit === undefined || limit <= 0) return entries;
    const kept: LogEntry[] = [];
    for (const entry of entries) {
      const size = Buffer.byteLength(recordJson(entry.record));
      if (size > limit) await this.setAside(entry, `record of ${size} bytes exceeds the target's limit of ${limit} bytes`);
      else kept.push(entry);
    }
    return kept;
  }

  private async acknowledge(entries: readonly LogEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.consumer.ack(entries.map((entry) => entry.position));
    this.counters.sent += entries.length;
    this.notifyProgress();
  }

  private async setAside(entry: LogEntry, reason: string): Promise<void> {
    try {
      await this.consumer.deadLetter(entry, reason);
      this.counters.deadLettered++;
    } catch (error) {
      // Not set aside: it stays pending and is read again later rather than lost.
      this.unsettled = true;
      this.logger?.error("dead letter not written", { targetId: this.targetId, error: this.describe(error) });
      return;
    }
    this.notifyProgress();
  }
}
