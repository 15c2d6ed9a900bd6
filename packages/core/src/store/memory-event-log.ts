import { S3NotifyError } from "../errors/s3notify-error.js";
import type { EventRecord, Logger } from "../types.js";
import {
  DEFAULT_QUEUE_LIMIT,
  type EventLog,
  type LogAppend,
  type LogAppendResult,
  type LogConsumer,
  type LogConsumerOptions,
  type LogEntry,
  type LogPosition,
} from "./event-log.js";
import { StoreFullError } from "./store-full-error.js";
import { type QueueBackend, type QueueSlot, TargetQueue } from "./target-queue.js";

export interface MemoryEventLogOptions {
  /** Limit for targets that never asked for a consumer with their own. */
  readonly queueLimit?: number;
  readonly logger?: Logger;
}

const MAX_DEAD_LETTERS = 1000;

/** A dead letter kept by a memory log. */
export interface MemoryDeadLetter {
  readonly targetId: string;
  readonly position: LogPosition;
  readonly reason: string;
  readonly record: EventRecord;
  readonly time: string;
}

/** A bounded in-memory log for targets without queue_dir: lost on exit, same interface as the file log. */
export class MemoryEventLog implements EventLog {
  readonly description = "memory";
  /** The latest dead letters (at most 1000), oldest first: a memory log has nowhere else to put them. */
  readonly deadLetters: MemoryDeadLetter[] = [];
  private readonly queues = new Map<string, TargetQueue<EventRecord>>();
  private readonly defaultLimit: number;
  private readonly logger: Logger | undefined;
  private nextPosition = 1;
  private closed = false;
  private readonly backend: QueueBackend<EventRecord>;

  constructor(options: MemoryEventLogOptions = {}) {
    this.defaultLimit = options.queueLimit && options.queueLimit > 0 ? options.queueLimit : DEFAULT_QUEUE_LIMIT;
    this.logger = options.logger;
    this.backend = {
      load: async (_targetId, slots: readonly QueueSlot<EventRecord>[]): Promise<LogEntry[]> =>
        slots.map((slot) => ({ position: slot.position, record: slot.item })),
      deadLetter: async (targetId, entry, reason) => {
        this.deadLetters.push({ targetId, position: entry.position, reason, record: entry.record, time: new Date().toISOString() });
        if (this.deadLetters.length > MAX_DEAD_LETTERS) this.deadLetters.splice(0, this.deadLetters.length - MAX_DEAD_LETTERS);
        this.logger?.warn("event set aside as a dead letter", { targetId, position: entry.position, reason });
      },
      released: () => {},
      committed: () => {},
    };
  }

  private queue(targetId: string): TargetQueue<EventRecord> {
    let queue = this.queues.get(targetId);
    if (!queue) {
      queue = new TargetQueue(targetId, this.defaultLimit, 0, this.backend);
      this.queues.set(targetId, queue);
    }
    return queue;
  }

  async append(entries: readonly LogAppend[]): Promise<LogAppendResult[]> {
    if (this.closed) throw new S3NotifyError("S3NOTIFY_ERR_NOTIFIER_CLOSED", "the event log is closed");
    const results: LogAppendResult[] = [];
    const touched = new Set<TargetQueue<EventRecord>>();
    for (const { record, targets } of entries) {
      const accepted: string[] = [];
      const refused: { targetId: string; reason: string }[] = [];
      const position = this.nextPosition;
      for (const targetId of new Set(targets)) {
        const queue = this.queue(targetId);
        if (!queue.hasRoom()) {
          refused.push({ targetId, reason: new StoreFullError(targetId).message });
          continue;
        }
        queue.push(position, record);
        touched.add(queue);
        accepted.push(targetId);
      }
      if (accepted.length > 0) this.nextPosition++;
      results.push({ position: accepted.length > 0 ? position : undefined, accepted, refused });
    }
    for (const queue of touched) queue.wake();
    return results;
  }

  consumer(targetId: string, options: LogConsumerOptions = {}): LogConsumer {
    const queue = this.queue(targetId);
    if (options.queueLimit !== undefined) queue.limit = options.queueLimit > 0 ? options.queueLimit : DEFAULT_QUEUE_LIMIT;
    return queue.consumer();
  }

  /** Drop everything pending for a target that was removed; returns how many entries were dropped. */
  discard(targetId: string): number {
    const queue = this.queues.get(targetId);
    if (!queue) return 0;
    queue.closeConsumer();
    this.queues.delete(targetId);
    return queue.pending();
  }

  size(targetId: string): number {
    return this.queues.get(targetId)?.pending() ?? 0;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const queue of this.queues.values()) queue.closeConsumer();
  }
}
