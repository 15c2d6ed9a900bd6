import type { LogConsumer, LogEntry, LogPosition } from "./event-log.js";

/** What a log keeps per pending entry of one target. */
export interface QueueSlot<Item> {
  readonly position: LogPosition;
  readonly item: Item;
  acked: boolean;
}

/** How a log reads its entries and sets them aside; the queue does the bookkeeping. */
export interface QueueBackend<Item> {
  load(targetId: string, slots: readonly QueueSlot<Item>[]): Promise<LogEntry[]>;
  deadLetter(targetId: string, entry: LogEntry, reason: string): Promise<void>;
  /** Every target of an entry may have acknowledged it now. */
  released(targetId: string, slot: QueueSlot<Item>): void;
  /** The contiguous acknowledged prefix moved forward. */
  committed(targetId: string, position: LogPosition): void;
}

/**
 * One target's pending entries in log order, shared by both logs: limits,
 * acknowledgements out of order, a waiting reader woken by append.
 */
export class TargetQueue<Item> {
  readonly targetId: string;
  limit: number;
  /** Entries accepted by an append that is not yet durable. */
  reserved = 0;
  /** Every position ≤ committed is acknowledged. */
  committedPosition: LogPosition;
  private slots: QueueSlot<Item>[] = [];
  private head = 0;
  private acknowledgedAhead = 0;
  private current: QueueConsumer<Item> | undefined;

  constructor(
    targetId: string,
    limit: number,
    committedPosition: LogPosition,
    private readonly backend: QueueBackend<Item>,
  ) {
    this.targetId = targetId;
    this.limit = limit;
    this.committedPosition = committedPosition;
  }

  /** Pending entries, acknowledged ones excluded. */
  pending(): number {
    return this.slots.length - this.head - this.acknowledgedAhead;
  }

  /** Whether one more entry fits (counting appends still in flight). */
  hasRoom(): boolean {
    return this.pending() + this.reserved < this.limit;
  }

  push(position: LogPosition, item: Item): void {
    this.slots.push({ position, item, acked: false });
  }

  wake(): void {
    this.current?.wake();
  }

  consumer(): QueueConsumer<Item> {
    this.current?.close();
    this.current = new QueueConsumer(this, this.backend);
    return this.current;
  }

  closeConsumer(): void {
    this.current?.close();
    this.current = undefined;
  }

  /** Index of the first slot with position > `after`, from the head. */
  indexAfter(after: LogPosition): number {
    let low = this.head;
    let high = this.slots.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.slots[middle] as QueueSlot<Item>).position <= after) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Up to `max` unacknowledged slots after `after`. */
  slotsAfter(after: LogPosition, max: number): QueueSlot<Item>[] {
    const result: QueueSlot<Item>[] = [];
    for (let index = this.indexAfter(after); index < this.slots.length && result.length < max; index++) {
      const slot = this.slots[index] as QueueSlot<Item>;
      if (!slot.acked) result.push(slot);
    }
    return result;
  }

  /** The position of the first unacknowledged slot minus one: where a fresh reader starts. */
  startPosition(): LogPosition {
    const first = this.slots[this.head];
    return first ? first.position - 1 : this.committedPosition;
  }

  ack(positions: readonly LogPosition[]): void {
    for (const position of positions) {
      const index = this.indexAfter(position - 1);
      const slot = this.slots[index];
      if (!slot || slot.position !== position || slot.acked) continue;
      slot.acked = true;
      this.acknowledgedAhead++;
      this.backend.released(this.targetId, slot);
    }
    let moved = false;
    while (this.head < this.slots.length && (this.slots[this.head] as QueueSlot<Item>).acked) {
      this.committedPosition = (this.slots[this.head] as QueueSlot<Item>).position;
      this.head++;
      this.acknowledgedAhead--;
      moved = true;
    }
    if (this.head > 1024 && this.head * 2 > this.slots.length) {
      this.slots = this.slots.slice(this.head);
      this.head = 0;
    }
    if (moved) this.backend.committed(this.targetId, this.committedPosition);
  }

  /** Every slot still pending (for startup accounting and close). */
  pendingSlots(): QueueSlot<Item>[] {
    return this.slots.slice(this.head).filter((slot) => !slot.acked);
  }
}

class QueueConsumer<Item> implements LogConsumer {
  readonly targetId: string;
  private cursor: LogPosition;
  private closed = false;
  private waiter: (() => void) | undefined;

  constructor(
    private readonly queue: TargetQueue<Item>,
    private readonly backend: QueueBackend<Item>,
  ) {
    this.targetId = queue.targetId;
    this.cursor = queue.startPosition();
  }

  wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }

  async read(max: number, signal?: AbortSignal): Promise<LogEntry[]> {
    const limit = Math.max(1, Math.floor(max));
    for (;;) {
      if (this.closed || signal?.aborted) return [];
      const slots = this.queue.slotsAfter(this.cursor, limit);
      if (slots.length > 0) {
        this.cursor = (slots[slots.length - 1] as QueueSlot<Item>).position;
        const entries = await this.backend.load(this.targetId, slots);
        if (entries.length > 0) return entries;
        continue;
      }
      await new Promise<void>((resolve) => {
        const onAbort = (): void => this.wake();
        signal?.addEventListener("abort", onAbort, { once: true });
        this.waiter = () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        };
      });
    }
  }

  async ack(positions: readonly LogPosition[]): Promise<void> {
    this.queue.ack(positions);
  }

  async deadLetter(entry: LogEntry, reason: string): Promise<void> {
    await this.backend.deadLetter(this.targetId, entry, reason);
    this.queue.ack([entry.position]);
  }

  rewind(): void {
    this.cursor = this.queue.startPosition();
  }

  pending(): number {
    return this.queue.pending();
  }

  close(): void {
    this.closed = true;
    this.wake();
  }
}
