import type { EventRecord } from "../types.js";

/**
 * A log-wide, strictly increasing sequence number (1, 2, ...). It maps onto a
 * JetStream stream sequence or the offset of a single-partition Kafka topic;
 * it says nothing about files.
 */
export type LogPosition = number;

/** One event to append, with the targets (`<ID>:<TYPE>`) that must receive it. */
export interface LogAppend {
  readonly record: EventRecord;
  readonly targets: readonly string[];
}

/** The outcome of one appended entry. */
export interface LogAppendResult {
  /** Where the entry landed; absent when every target refused it (nothing was written). */
  readonly position: LogPosition | undefined;
  /** Targets whose queue now holds the entry. */
  readonly accepted: readonly string[];
  /** Targets whose queue was full (`S3NOTIFY_ERR_STORE_FULL`). */
  readonly refused: readonly { readonly targetId: string; readonly reason: string }[];
}

/** One entry as a consumer sees it. */
export interface LogEntry {
  readonly position: LogPosition;
  readonly record: EventRecord;
}

export interface LogConsumerOptions {
  /** Largest number of entries pending for this target; further appends are refused for it. 0 → 100000 (MinIO's default). */
  readonly queueLimit?: number;
}

/**
 * An append-only event log shared by several targets; each target reads it
 * through its own consumer (a consumer group of one) and acknowledges what it
 * delivered. Implementations: FileEventLog (one log per queue_dir),
 * MemoryEventLog; a JetStream or Kafka log would fit the same shape.
 */
export interface EventLog {
  /** A short description for logs (`file:/var/queue`, `memory`). */
  readonly description: string;
  /**
   * Append entries in order. Resolves once they are durable (on disk, synced,
   * for a file log). A target over its queue limit is refused per entry; the
   * others still get it.
   */
  append(entries: readonly LogAppend[]): Promise<LogAppendResult[]>;
  /**
   * A reader for one target, starting at its first unacknowledged entry. A new
   * consumer for the same target replaces (and closes) the previous one, so a
   * replaced runner resumes where the old one stopped.
   */
  consumer(targetId: string, options?: LogConsumerOptions): LogConsumer;
  /** Entries appended for the target and not yet acknowledged. */
  size(targetId: string): number;
  /** Persist read positions and release files. Pending readers resolve with []. */
  close(): Promise<void>;
}

export interface LogConsumer {
  readonly targetId: string;
  /**
   * Up to `max` entries after the last one read, in log order. Waits (woken by
   * append, no polling) while there are none; resolves with [] when the signal
   * aborts or the consumer or log is closed.
   */
  read(max: number, signal?: AbortSignal): Promise<LogEntry[]>;
  /** The target delivered these entries: they are never read again. */
  ack(positions: readonly LogPosition[]): Promise<void>;
  /** Set an entry aside for good (readable, replayable by hand) and acknowledge it. */
  deadLetter(entry: LogEntry, reason: string): Promise<void>;
  /** Go back to the first unacknowledged entry (after a failed send the caller gave up on). */
  rewind(): void;
  /** Entries pending for this target (read or not, not acknowledged). */
  pending(): number;
  /** Stop reading; a waiting read resolves with []. */
  close(): void;
}

/** MinIO's default queue_limit. */
export const DEFAULT_QUEUE_LIMIT = 100_000;
