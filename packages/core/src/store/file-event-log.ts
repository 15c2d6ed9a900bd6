import { type FileHandle, mkdir, open, readdir, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { S3NotifyError } from "../errors/s3notify-error.js";
import { recordJson, rememberRecordJson } from "../event/record-json.js";
import type { EventRecord, Logger } from "../types.js";
import {
  DEFAULT_QUEUE_LIMIT,
  type EventLog,
  type LogAppend,
  type LogAppendResult,
  type LogConsumer,
  type LogConsumerOptions,
  type LogEntry,
} from "./event-log.js";
import { decodeFrame, encodeFrame, nextValidFrame } from "./frame.js";
import { StoreFullError } from "./store-full-error.js";
import { type QueueBackend, type QueueSlot, TargetQueue } from "./target-queue.js";

export interface FileEventLogOptions {
  /** Segment size before a new file is started; 64 MiB by default. */
  readonly segmentBytes?: number;
  /** Default limit for targets that did not give one to `consumer()`; 0 → 100000. */
  readonly queueLimit?: number;
  /** How long acknowledged positions may stay in memory before being written; 200 ms by default. */
  readonly positionFlushMs?: number;
  readonly logger?: Logger;
}

/** Counters of one file log. */
export interface FileEventLogStats {
  readonly directory: string;
  readonly segments: number;
  readonly appended: number;
  /** Group commits: each is one write and one fdatasync. */
  readonly commits: number;
  /** Per-target refusals because the queue was full. */
  readonly refused: number;
  /** Frames (or torn tails) set aside in `corrupt/`. */
  readonly corruptFrames: number;
  readonly corruptBytes: number;
  readonly deadLettered: number;
}

interface Segment {
  readonly name: string;
  readonly path: string;
  readonly firstPosition: number;
  size: number;
  /** Entries in this segment some target still has to acknowledge. */
  live: number;
  readHandle: Promise<FileHandle> | undefined;
  deleted: boolean;
}

interface IndexEntry {
  readonly position: number;
  readonly segment: Segment;
  readonly offset: number;
  readonly size: number;
  readonly targets: readonly string[];
  /** Targets that have not acknowledged it yet. */
  remaining: number;
  /** The record as appended by this process, kept while a target still needs it (bounded by RECORD_CACHE_ENTRIES). */
  record: EventRecord | undefined;
}

interface PendingWrite {
  readonly position: number;
  readonly record: EventRecord;
  readonly frame: Buffer;
  readonly targets: readonly string[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

const SEGMENT_SUFFIX = ".seg";
/** Recent records kept in memory so that targets keeping up never read them back from disk. */
const RECORD_CACHE_ENTRIES = 4096;
const PAYLOAD_PREFIX = Buffer.from('{"targets":');
/** Cannot occur inside a JSON string (its quote would be escaped): the first one ends the targets array. */
const PAYLOAD_SEPARATOR = Buffer.from('],"record":');

/** The target list of a payload without parsing its record (start-up scans stay fast). */
function payloadTargets(bytes: Buffer, start: number, end: number): string[] {
  if (end - start < PAYLOAD_PREFIX.length || bytes.compare(PAYLOAD_PREFIX, 0, PAYLOAD_PREFIX.length, start, start + PAYLOAD_PREFIX.length) !== 0) {
    throw new Error("not an event log payload");
  }
  const separator = bytes.indexOf(PAYLOAD_SEPARATOR, start);
  if (separator === -1 || separator >= end) throw new Error("not an event log payload");
  const targets: unknown = JSON.parse(bytes.toString("utf8", start + PAYLOAD_PREFIX.length, separator + 1));
  if (!Array.isArray(targets) || !targets.every((target) => typeof target === "string")) throw new Error("not an event log payload");
  return targets as string[];
}

/** The record of a payload; its JSON text is remembered, so that targets do not serialize it again. */
function parsePayloadRecord(bytes: Buffer, start: number, end: number): EventRecord {
  const separator = bytes.indexOf(PAYLOAD_SEPARATOR, start);
  if (separator === -1 || separator >= end || bytes[end - 1] !== 0x7d) throw new Error("not an event log payload");
  const text = bytes.toString("utf8", separator + PAYLOAD_SEPARATOR.length, end - 1);
  const record = JSON.parse(text) as EventRecord;
  rememberRecordJson(record, text);
  return record;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
const OPEN_DIRECTORIES = new Set<string>();

/** A target id as a file name: readable, and safe on every platform. */
export function targetFileName(targetId: string): string {
  return targetId.replace(/[^A-Za-z0-9._:-]|:/g, (character) =>
    character === ":" && process.platform !== "win32" ? ":" : `%${character.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`,
  );
}

function segmentName(firstPosition: number): string {
  return `${String(firstPosition).padStart(20, "0")}${SEGMENT_SUFFIX}`;
}

/**
 * One append-only, checksummed log per queue_dir, shared by every target
 * configured with that dir: one write and one fdatasync per group of
 * concurrent appends however many targets hear each event. Each target keeps
 * its own acknowledged position; a segment is deleted once no target needs it.
 *
 * Layout: `segments/<first position>.seg`, `positions/<target>.json`,
 * `dead-letters/<target>.jsonl`, `corrupt/<segment>-<offset>.bin`, `LOCK`.
 */
export class FileEventLog implements EventLog {
  readonly directory: string;
  readonly description: string;
  private readonly segmentBytes: number;
  private readonly defaultLimit: number;
  private readonly positionFlushMs: number;
  private readonly logger: Logger | undefined;
  private readonly queues = new Map<string, TargetQueue<IndexEntry>>();
  private readonly savedPositions = new Map<string, number>();
  private readonly dirtyPositions = new Set<string>();
  private positionTimer: NodeJS.Timeout | undefined;
  private positionWrite: Promise<void> = Promise.resolve();
  private segments: Segment[] = [];
  private active!: Segment;
  private activeHandle!: FileHandle;
  private nextPosition = 1;
  private writeQueue: PendingWrite[] = [];
  private writing: Promise<void> | undefined;
  private closed = false;
  private locked = false;
  private cachedRecords = 0;
  private readonly backend: QueueBackend<IndexEntry>;
  private counters = { appended: 0, commits: 0, refused: 0, corruptFrames: 0, corruptBytes: 0, deadLettered: 0 };

  private constructor(directory: string, options: FileEventLogOptions) {
    this.directory = directory;
    this.description = `file:${directory}`;
    this.segmentBytes = options.segmentBytes ?? 64 * 1024 * 1024;
    this.defaultLimit = options.queueLimit && options.queueLimit > 0 ? options.queueLimit : DEFAULT_QUEUE_LIMIT;
    this.positionFlushMs = options.positionFlushMs ?? 200;
    this.logger = options.logger;
    this.backend = {
      load: (targetId, slots) => this.load(targetId, slots),
      deadLetter: (targetId, entry, reason) => this.writeDeadLetter(targetId, entry, reason),
      released: (_targetId, slot) => this.release(slot.item),
      committed: (targetId) => this.markDirty(targetId),
    };
  }

  /** Open (or create) the log of a queue_dir: recovers torn tails and corrupt frames, rebuilds each target's pending entries. */
  static async open(folder: string, options: FileEventLogOptions = {}): Promise<FileEventLog> {
    const directory = resolve(folder);
    if (OPEN_DIRECTORIES.has(directory)) throw new S3NotifyError("S3NOTIFY_ERR_STORE_INIT", `the event log in ${directory} is already open in this process`);
    OPEN_DIRECTORIES.add(directory);
    const log = new FileEventLog(directory, options);
    try {
      await log.recover();
    } catch (error) {
      await log.unlock();
      throw error;
    }
    return log;
  }

  private path(...parts: string[]): string {
    return join(this.directory, ...parts);
  }

  private async recover(): Promise<void> {
    for (const folder of ["segments", "positions", "dead-letters", "corrupt"]) await mkdir(this.path(folder), { recursive: true, mode: 0o770 });
    await this.lock();
    for (const file of await readdir(this.path("positions"))) {
      if (!file.endsWith(".json")) continue;
      try {
        const saved = JSON.parse(await readFile(this.path("positions", file), "utf8")) as { targetId?: unknown; position?: unknown };
        if (typeof saved.targetId === "string" && typeof saved.position === "number") this.savedPositions.set(saved.targetId, saved.position);
      } catch (error) {
        this.logger?.warn("unreadable position file ignored: its target replays from the oldest entry", { file, error: String(error) });
      }
    }
    const names = (await readdir(this.path("segments"))).filter((name) => /^\d{20}\.seg$/.test(name)).sort();
    for (const [index, name] of names.entries()) {
      const segment = this.newSegment(Number(name.slice(0, 20)));
      this.segments.push(segment);
      await this.scanSegment(segment, index === names.length - 1);
    }
    // Never hand out a position again: not one a segment name or a saved position already used.
    for (const segment of this.segments) this.nextPosition = Math.max(this.nextPosition, segment.firstPosition);
    for (const position of this.savedPositions.values()) this.nextPosition = Math.max(this.nextPosition, position + 1);
    const last = this.segments[this.segments.length - 1];
    if (last) {
      this.active = last;
      this.activeHandle = await open(last.path, "r+");
    } else {
      await this.startSegment();
    }
    for (const segment of this.segments) if (segment !== this.active && segment.live === 0) this.deleteSegment(segment);
  }

  /** One process per queue_dir: a LOCK file holding the owner's pid; a dead owner's lock is taken over. */
  private async lock(): Promise<void> {
    const file = this.path("LOCK");
    for (let attempt = 0; ; attempt++) {
      try {
        await writeFile(file, String(process.pid), { flag: "wx", mode: 0o660 });
        this.locked = true;
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0) throw error;
      }
      const owner = Number((await readFile(file, "utf8").catch(() => "")).trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && processAlive(owner)) {
        throw new S3NotifyError("S3NOTIFY_ERR_STORE_INIT", `the event log in ${this.directory} is in use by process ${owner}`);
      }
      await unlink(file).catch(() => {});
    }
  }

  private newSegment(firstPosition: number): Segment {
    const name = segmentName(firstPosition);
    return { name, path: this.path("segments", name), firstPosition, size: 0, live: 0, readHandle: undefined, deleted: false };
  }

  private async scanSegment(segment: Segment, isLast: boolean): Promise<void> {
    const bytes = await readFile(segment.path);
    let offset = 0;
    while (offset < bytes.length) {
      const frame = decodeFrame(bytes, offset);
      if (frame && frame.position >= this.nextPosition && frame.position >= segment.firstPosition) {
        try {
          const targets = payloadTargets(bytes, frame.payloadStart, frame.payloadEnd);
          this.index(segment, frame.position, offset, frame.size, targets);
          this.nextPosition = frame.position + 1;
          offset += frame.size;
          continue;
        } catch {
          // A valid checksum over invalid JSON: set it aside like any other corrupt frame.
        }
      }
      const next = nextValidFrame(bytes, offset + 1);
      const end = next ?? bytes.length;
      await this.setAside(segment, offset, bytes.subarray(offset, end), next === undefined && isLast ? "torn tail" : "corrupt frame");
      if (next === undefined) {
        // Nothing valid follows: cut the file there so that new frames follow valid ones.
        const handle = await open(segment.path, "r+");
        try {
          await handle.truncate(offset);
          await handle.sync();
        } finally {
          await handle.close();
        }
        break;
      }
      offset = next;
    }
    segment.size = Math.min(offset, bytes.length);
  }

  private async setAside(segment: Segment, offset: number, bytes: Buffer, kind: string): Promise<void> {
    const file = this.path("corrupt", `${segment.name}-${offset}.bin`);
    await writeFile(file, bytes, { mode: 0o660 });
    this.counters.corruptFrames++;
    this.counters.corruptBytes += bytes.length;
    this.logger?.error(`event log: ${kind} set aside`, { directory: this.directory, segment: segment.name, offset, bytes: bytes.length, file });
  }

  private index(segment: Segment, position: number, offset: number, size: number, targets: readonly string[]): void {
    const entry: IndexEntry = { position, segment, offset, size, targets, remaining: 0, record: undefined };
    for (const targetId of targets) {
      const queue = this.queue(targetId);
      if (position <= queue.committedPosition) continue;
      queue.push(position, entry);
      entry.remaining++;
    }
    if (entry.remaining > 0) segment.live++;
  }

  private queue(targetId: string): TargetQueue<IndexEntry> {
    let queue = this.queues.get(targetId);
    if (!queue) {
      queue = new TargetQueue(targetId, this.defaultLimit, this.savedPositions.get(targetId) ?? 0, this.backend);
      this.queues.set(targetId, queue);
    }
    return queue;
  }

  private async startSegment(): Promise<void> {
    const segment = this.newSegment(this.nextPosition);
    const handle = await open(segment.path, "a+", 0o660);
    await handle.close();
    this.activeHandle = await open(segment.path, "r+");
    await this.syncDirectory(this.path("segments"));
    this.segments.push(segment);
    this.active = segment;
  }

  private async syncDirectory(directory: string): Promise<void> {
    if (process.platform === "win32") return;
    const handle = await open(directory, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  async append(entries: readonly LogAppend[]): Promise<LogAppendResult[]> {
    if (this.closed) throw new S3NotifyError("S3NOTIFY_ERR_NOTIFIER_CLOSED", `the event log in ${this.directory} is closed`);
    const results: LogAppendResult[] = [];
    const writes: Promise<void>[] = [];
    // Serialize first: a record that cannot be serialized throws before anything is reserved.
    const recordJsons = entries.map(({ record }) => recordJson(record));
    for (const [index, { record, targets }] of entries.entries()) {
      const accepted: string[] = [];
      const refused: { targetId: string; reason: string }[] = [];
      for (const targetId of new Set(targets)) {
        const queue = this.queue(targetId);
        if (!queue.hasRoom()) {
          this.counters.refused++;
          refused.push({ targetId, reason: new StoreFullError(targetId).message });
          continue;
        }
        queue.reserved++;
        accepted.push(targetId);
      }
      if (accepted.length === 0) {
        results.push({ position: undefined, accepted, refused });
        continue;
      }
      const position = this.nextPosition++;
      const payload = Buffer.from(`{"targets":${JSON.stringify(accepted)},"record":${recordJsons[index]}}`, "utf8");
      const frame = encodeFrame(position, payload);
      writes.push(new Promise<void>((resolve, reject) => this.writeQueue.push({ position, record, frame, targets: accepted, resolve, reject })));
      results.push({ position, accepted, refused });
    }
    if (writes.length === 0) return results;
    // Start the write after the current turn, so that appenders woken by the previous commit join this one.
    this.writing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.writeLoop());
    await Promise.all(writes);
    return results;
  }

  /** Group commit: everything queued while the previous write+sync ran goes out as one write and one fdatasync. */
  private async writeLoop(): Promise<void> {
    try {
      while (this.writeQueue.length > 0) {
        const batch = this.writeQueue;
        this.writeQueue = [];
        let bytes = 0;
        for (const write of batch) bytes += write.frame.length;
        const start = this.active.size;
        try {
          if (start > 0 && start + bytes > this.segmentBytes) await this.roll((batch[0] as PendingWrite).position);
          const segment = this.active;
          const offset = segment.size;
          const { bytesWritten } = await this.activeHandle.writev(
            batch.map((write) => write.frame),
            offset,
          );
          if (bytesWritten !== bytes) throw new Error(`short write to ${segment.path}: ${bytesWritten} of ${bytes} bytes`);
          await this.activeHandle.datasync();
          segment.size = offset + bytes;
          this.counters.commits++;
          this.counters.appended += batch.length;
          let frameOffset = offset;
          const touched = new Set<TargetQueue<IndexEntry>>();
          for (const write of batch) {
            const cached = this.cachedRecords < RECORD_CACHE_ENTRIES;
            if (cached) this.cachedRecords++;
            const entry: IndexEntry = {
              position: write.position,
              segment,
              offset: frameOffset,
              size: write.frame.length,
              targets: write.targets,
              remaining: 0,
              record: cached ? write.record : undefined,
            };
            for (const targetId of write.targets) {
              const queue = this.queue(targetId);
              queue.reserved--;
              queue.push(write.position, entry);
              entry.remaining++;
              touched.add(queue);
            }
            segment.live++;
            frameOffset += write.frame.length;
          }
          for (const queue of touched) queue.wake();
          for (const write of batch) write.resolve();
        } catch (error) {
          // Leave no partial frame behind: later frames must follow valid ones.
          await this.activeHandle.truncate(this.active.size).catch(() => {});
          for (const write of batch) {
            for (const targetId of write.targets) this.queue(targetId).reserved--;
            write.reject(error);
          }
        }
      }
    } finally {
      this.writing = undefined;
    }
  }

  private async roll(firstPosition: number): Promise<void> {
    const previous = this.active;
    await this.activeHandle.close();
    this.nextPosition = Math.max(this.nextPosition, firstPosition);
    const segment = this.newSegment(firstPosition);
    const handle = await open(segment.path, "a+", 0o660);
    await handle.close();
    this.activeHandle = await open(segment.path, "r+");
    await this.syncDirectory(this.path("segments"));
    this.segments.push(segment);
    this.active = segment;
    if (previous.live === 0) this.deleteSegment(previous);
  }

  private release(entry: IndexEntry): void {
    entry.remaining--;
    if (entry.remaining > 0) return;
    if (entry.record) {
      entry.record = undefined;
      this.cachedRecords--;
    }
    entry.segment.live--;
    if (entry.segment.live === 0 && entry.segment !== this.active) this.deleteSegment(entry.segment);
  }

  private deleteSegment(segment: Segment): void {
    if (segment.deleted) return;
    segment.deleted = true;
    this.segments = this.segments.filter((candidate) => candidate !== segment);
    const handle = segment.readHandle;
    segment.readHandle = undefined;
    void (async () => {
      if (handle) await (await handle).close().catch(() => {});
      await unlink(segment.path).catch((error: unknown) => this.logger?.warn("event log: segment not deleted", { path: segment.path, error: String(error) }));
    })();
  }

  private readHandle(segment: Segment): Promise<FileHandle> {
    segment.readHandle ??= open(segment.path, "r");
    return segment.readHandle;
  }

  private async load(targetId: string, slots: readonly QueueSlot<IndexEntry>[]): Promise<LogEntry[]> {
    const entries: LogEntry[] = [];
    let index = 0;
    while (index < slots.length) {
      const cached = (slots[index] as QueueSlot<IndexEntry>).item;
      if (cached.record) {
        entries.push({ position: cached.position, record: cached.record });
        index++;
        continue;
      }
      // One read per run of entries lying in the same segment.
      const first = (slots[index] as QueueSlot<IndexEntry>).item;
      let last = first;
      let end = index + 1;
      while (end < slots.length) {
        const candidate = (slots[end] as QueueSlot<IndexEntry>).item;
        if (candidate.record || candidate.segment !== first.segment || candidate.offset - (last.offset + last.size) > 64 * 1024) break;
        last = candidate;
        end++;
      }
      if (first.segment.deleted) {
        // Every target acknowledged these meanwhile (another consumer of the same target did): nothing to read.
        index = end;
        continue;
      }
      const span = Buffer.allocUnsafe(last.offset + last.size - first.offset);
      const handle = await this.readHandle(first.segment);
      const { bytesRead } = await handle.read(span, 0, span.length, first.offset);
      for (let slotIndex = index; slotIndex < end; slotIndex++) {
        const entry = (slots[slotIndex] as QueueSlot<IndexEntry>).item;
        const start = entry.offset - first.offset;
        const frame = decodeFrame(span, start, Math.min(bytesRead, start + entry.size));
        let record: EventRecord | undefined;
        if (frame && frame.position === entry.position) {
          try {
            record = parsePayloadRecord(span, frame.payloadStart, frame.payloadEnd);
          } catch {
            record = undefined;
          }
        }
        if (record) {
          entries.push({ position: entry.position, record });
          continue;
        }
        // The bytes changed on disk after they were checked: set the frame aside for every target.
        await this.setAside(entry.segment, entry.offset, Buffer.from(span.subarray(start, Math.min(bytesRead, start + entry.size))), "corrupt frame");
        for (const other of entry.targets) this.queues.get(other)?.ack([entry.position]);
      }
      index = end;
    }
    void targetId;
    return entries;
  }

  private async writeDeadLetter(targetId: string, entry: LogEntry, reason: string): Promise<void> {
    const file = this.path("dead-letters", `${targetFileName(targetId)}.jsonl`);
    const line = `${JSON.stringify({ time: new Date().toISOString(), targetId, position: entry.position, reason, record: entry.record })}\n`;
    const handle = await open(file, "a", 0o660);
    try {
      await handle.write(line);
      await handle.datasync();
    } finally {
      await handle.close();
    }
    this.counters.deadLettered++;
    this.logger?.warn("event set aside as a dead letter", { targetId, position: entry.position, reason, file });
  }

  private markDirty(targetId: string): void {
    this.dirtyPositions.add(targetId);
    if (this.positionTimer || this.closed) return;
    this.positionTimer = setTimeout(() => {
      this.positionTimer = undefined;
      void this.flushPositions(false);
    }, this.positionFlushMs);
    this.positionTimer.unref();
  }

  /** Write dirty positions (atomically: temp file then rename). Serialized so that an older position never overwrites a newer one. */
  private flushPositions(sync: boolean): Promise<void> {
    this.positionWrite = this.positionWrite.then(async () => {
      const dirty = [...this.dirtyPositions];
      this.dirtyPositions.clear();
      for (const targetId of dirty) {
        const queue = this.queues.get(targetId);
        if (!queue) continue;
        const file = this.path("positions", `${targetFileName(targetId)}.json`);
        const temporary = `${file}.tmp`;
        try {
          const handle = await open(temporary, "w", 0o660);
          try {
            await handle.write(JSON.stringify({ targetId, position: queue.committedPosition }));
            if (sync) await handle.datasync();
          } finally {
            await handle.close();
          }
          await rename(temporary, file);
        } catch (error) {
          this.logger?.warn("event log: position not saved (entries may be delivered again)", { targetId, error: String(error) });
        }
      }
      if (sync && dirty.length > 0) await this.syncDirectory(this.path("positions")).catch(() => {});
    });
    return this.positionWrite;
  }

  consumer(targetId: string, options: LogConsumerOptions = {}): LogConsumer {
    if (this.closed) throw new S3NotifyError("S3NOTIFY_ERR_NOTIFIER_CLOSED", `the event log in ${this.directory} is closed`);
    const queue = this.queue(targetId);
    if (options.queueLimit !== undefined) queue.limit = options.queueLimit > 0 ? options.queueLimit : DEFAULT_QUEUE_LIMIT;
    return queue.consumer();
  }

  size(targetId: string): number {
    return this.queues.get(targetId)?.pending() ?? 0;
  }

  stats(): FileEventLogStats {
    return { directory: this.directory, segments: this.segments.length, ...this.counters };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const queue of this.queues.values()) queue.closeConsumer();
    await this.writing;
    if (this.positionTimer) clearTimeout(this.positionTimer);
    this.positionTimer = undefined;
    await this.flushPositions(true);
    await this.activeHandle.close().catch(() => {});
    for (const segment of this.segments) {
      const handle = segment.readHandle;
      segment.readHandle = undefined;
      if (handle) await (await handle).close().catch(() => {});
    }
    await this.unlock();
  }

  private async unlock(): Promise<void> {
    if (this.locked) await unlink(this.path("LOCK")).catch(() => {});
    this.locked = false;
    OPEN_DIRECTORIES.delete(this.directory);
  }
}
