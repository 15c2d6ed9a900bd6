import { constants as fsConstants } from "node:fs";
import { access, type FileHandle, mkdir, open, stat } from "node:fs/promises";
import { dirname } from "node:path";
import {
  type EventRecord,
  logEnvelopeJson,
  permanentError,
  retryableError,
  type Target,
  TargetBatchError,
  type TargetCapabilities,
  type TargetContext,
  type TargetId,
} from "@s3notify/core";
import type { JsonlConfig } from "./types.js";

/** Records per `send` call: each batch is one append, so a batch is bounded to keep that write small. */
export const JSONL_MAX_BATCH = 256;

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : error instanceof Error ? error.message : String(error);
}

/**
 * Appends one line per event, MinIO's envelope `{"EventName","Key","Records":[record]}`, to a JSON Lines file.
 * The file is opened for each batch (so a rotated or deleted file is simply created again) and the whole batch
 * goes in one append; a failed append is truncated away, so the file only ever holds whole lines.
 */
export class JsonlTarget implements Target {
  readonly id: TargetId;
  readonly capabilities: TargetCapabilities = { maxBatchSize: JSONL_MAX_BATCH, ordered: true };
  private readonly folder: string;

  constructor(
    private readonly config: JsonlConfig,
    context: Pick<TargetContext, "targetId">,
  ) {
    this.id = context.targetId;
    this.folder = dirname(config.path);
  }

  /** Creates the file's folder. A failure (read-only disk, a file in the way) is retried by core. */
  async open(): Promise<void> {
    try {
      await mkdir(this.folder, { recursive: true });
    } catch (error) {
      throw retryableError(`cannot create the folder ${this.folder}: ${errorCode(error)}`, error);
    }
  }

  async send(batch: readonly EventRecord[]): Promise<void> {
    if (batch.length === 0) return;
    const lines: string[] = [];
    const serialized: number[] = [];
    let failure: unknown;
    batch.forEach((record, index) => {
      try {
        lines.push(`${logEnvelopeJson(record)}\n`);
        serialized.push(index);
      } catch (error) {
        failure ??= error;
      }
    });
    if (serialized.length === 0) {
      throw permanentError(`cannot serialize the event${batch.length === 1 ? "" : "s"} as JSON: ${errorCode(failure)}`, failure);
    }
    await this.append(Buffer.from(lines.join(""), "utf8"), serialized.length);
    if (serialized.length < batch.length) {
      // The serializable records are in the file; only the others can never succeed.
      throw new TargetBatchError(`${batch.length - serialized.length} of ${batch.length} events cannot be serialized as JSON: ${errorCode(failure)}`, {
        delivered: serialized,
        retryable: false,
        cause: failure,
      });
    }
  }

  /** True when the folder is a directory we may write to and the path is not something other than a file. */
  async isActive(): Promise<boolean> {
    try {
      if (!(await stat(this.folder)).isDirectory()) return false;
      await access(this.folder, fsConstants.W_OK);
      const file = await stat(this.config.path).catch(() => undefined);
      return file === undefined || file.isFile();
    } catch {
      return false;
    }
  }

  /** Nothing to release: the file is only open during a send. */
  async close(): Promise<void> {}

  private async append(data: Buffer, count: number): Promise<void> {
    let handle: FileHandle;
    try {
      handle = await this.openFile();
    } catch (error) {
      throw retryableError(`cannot open ${this.config.path}: ${errorCode(error)}`, error);
    }
    try {
      const { size } = await handle.stat();
      try {
        await handle.appendFile(data);
        if (this.config.fsync) await handle.sync();
      } catch (error) {
        // A torn batch is cut off, so that the retry does not leave half a line in front of it.
        await handle.truncate(size).catch(() => undefined);
        throw retryableError(`cannot append ${count} event${count === 1 ? "" : "s"} to ${this.config.path}: ${errorCode(error)}`, error);
      }
    } finally {
      await handle.close().catch(() => undefined);
    }
  }

  private async openFile(): Promise<FileHandle> {
    try {
      return await open(this.config.path, "a", 0o644);
    } catch (error) {
      if (errorCode(error) !== "ENOENT") throw error;
      // The folder was removed since open(): make it again, once.
      await mkdir(this.folder, { recursive: true });
      return open(this.config.path, "a", 0o644);
    }
  }
}
