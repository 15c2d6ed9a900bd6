import { type EventRecord, type Target, TargetBatchError, type TargetCapabilities, TargetError, type TargetId } from "@s3notify/core";

export interface ChaosFailure {
  /** Retryable (backend down) or permanent (record refused); retryable by default. */
  readonly retryable?: boolean;
  readonly message?: string;
}

export interface ChaosCounts {
  /** Calls to open(), failed or not. */
  readonly opens: number;
  /** Calls to send(), failed or not. */
  readonly sends: number;
  /** send() calls that threw. */
  readonly failures: number;
  /** Records the inner target received. */
  readonly delivered: number;
  readonly closes: number;
}

/** A target wrapped with failure injection (Flystorage's chaos adapter idea) for tests of core's retry, replay and dead-letter paths. */
export interface ChaosTarget extends Target {
  /** The next `count` send() calls throw without reaching the inner target. */
  failNext(count: number, failure?: ChaosFailure): void;
  /** The next `count` open() calls throw a retryable error. */
  failOpen(count: number): void;
  /** Every batch holding a record for which `predicate` holds is refused (permanent), as a backend refusing one bad payload would. */
  rejectWhen(predicate: ((record: EventRecord) => boolean) | undefined, message?: string): void;
  /** send() (and open()) wait until released, or `ms` passed when given. */
  stall(ms?: number): void;
  /** Ends a stall. */
  release(): void;
  /** The next send() delivers the first `count` records of its batch, then throws a TargetBatchError naming them. */
  closeMidBatch(count: number, failure?: ChaosFailure): void;
  /** Resolves when a send() call is waiting in a stall. */
  whenStalled(): Promise<void>;
  readonly counts: ChaosCounts;
}

export function chaosTarget(inner: Target): ChaosTarget {
  const counts = { opens: 0, sends: 0, failures: 0, delivered: 0, closes: 0 };
  const failures: ChaosFailure[] = [];
  let openFailures = 0;
  let midBatch: { count: number; failure: ChaosFailure } | undefined;
  let reject: { predicate: (record: EventRecord) => boolean; message: string } | undefined;
  let stallGate: Promise<void> | undefined;
  let releaseStall: (() => void) | undefined;
  let stalledWaiters: (() => void)[] = [];

  const waitStall = async (): Promise<void> => {
    if (!stallGate) return;
    for (const waiter of stalledWaiters) waiter();
    stalledWaiters = [];
    await stallGate;
  };
  const failureError = (failure: ChaosFailure, fallback: string): TargetError =>
    new TargetError(failure.message ?? fallback, { retryable: failure.retryable ?? true });

  const target: ChaosTarget = {
    get id(): TargetId {
      return inner.id;
    },
    get capabilities(): TargetCapabilities {
      return inner.capabilities;
    },
    counts,
    async open() {
      counts.opens++;
      await waitStall();
      if (openFailures > 0) {
        openFailures--;
        throw new TargetError("chaos: open refused", { retryable: true });
      }
      await inner.open();
    },
    async send(batch) {
      counts.sends++;
      await waitStall();
      const failure = failures.shift();
      if (failure) {
        counts.failures++;
        throw failureError(failure, failure.retryable === false ? "chaos: record refused" : "chaos: backend unavailable");
      }
      if (reject && batch.some(reject.predicate)) {
        counts.failures++;
        throw new TargetError(reject.message, { retryable: false });
      }
      if (midBatch && batch.length > 0) {
        const { count, failure: partial } = midBatch;
        midBatch = undefined;
        const delivered = batch.slice(0, Math.min(count, batch.length));
        if (delivered.length > 0) await inner.send(delivered);
        counts.delivered += delivered.length;
        counts.failures++;
        throw new TargetBatchError(`chaos: connection closed after ${delivered.length} of ${batch.length} records`, {
          delivered: delivered.map((_record, index) => index),
          retryable: partial.retryable ?? true,
          cause: failureError(partial, "chaos: connection closed"),
        });
      }
      await inner.send(batch);
      counts.delivered += batch.length;
    },
    isActive: () => inner.isActive(),
    async close() {
      counts.closes++;
      await inner.close();
    },
    failNext(count, failure = {}) {
      for (let index = 0; index < count; index++) failures.push(failure);
    },
    failOpen(count) {
      openFailures += count;
    },
    rejectWhen(predicate, message = "chaos: record refused") {
      reject = predicate ? { predicate, message } : undefined;
    },
    stall(ms) {
      if (stallGate) return;
      stallGate = new Promise<void>((resolve) => {
        releaseStall = resolve;
      });
      if (ms !== undefined) setTimeout(() => target.release(), ms).unref();
    },
    release() {
      releaseStall?.();
      releaseStall = undefined;
      stallGate = undefined;
    },
    closeMidBatch(count, failure = {}) {
      midBatch = { count, failure };
    },
    whenStalled() {
      return new Promise<void>((resolve) => stalledWaiters.push(resolve));
    },
  };
  return target;
}

/** A target that keeps what it receives, for tests: `records` in delivery order, `waitFor(n)` resolves once n arrived. */
export interface RecordingTarget extends Target {
  readonly records: EventRecord[];
  readonly batches: (readonly EventRecord[])[];
  waitFor(count: number, timeoutMs?: number): Promise<void>;
}

export function recordingTarget(id: TargetId, capabilities: Partial<TargetCapabilities> = {}): RecordingTarget {
  const records: EventRecord[] = [];
  const batches: (readonly EventRecord[])[] = [];
  let waiters: { count: number; resolve: () => void }[] = [];
  const settle = (): void => {
    const ready = waiters.filter((waiter) => records.length >= waiter.count);
    waiters = waiters.filter((waiter) => records.length < waiter.count);
    for (const waiter of ready) waiter.resolve();
  };
  return {
    id,
    capabilities: { maxBatchSize: 1, ordered: true, ...capabilities },
    records,
    batches,
    async open() {},
    async send(batch) {
      batches.push([...batch]);
      records.push(...batch);
      settle();
    },
    async isActive() {
      return true;
    },
    async close() {},
    waitFor(count, timeoutMs = 10_000) {
      if (records.length >= count) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters = waiters.filter((waiter) => waiter.resolve !== done);
          reject(new Error(`waited ${timeoutMs} ms for ${count} records, got ${records.length}`));
        }, timeoutMs);
        const done = (): void => {
          clearTimeout(timer);
          resolve();
        };
        waiters.push({ count, resolve: done });
      });
    },
  };
}
