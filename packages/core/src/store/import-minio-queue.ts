import { readdir, readFile, rm, rmdir, stat } from "node:fs/promises";
import { join } from "node:path";
import type { EventRecord, Logger } from "../types.js";
import type { EventLog } from "./event-log.js";

/** What importMinioQueue did with one MinIO queue folder. */
export interface MinioQueueImport {
  /** `<queue_dir>/minio-<type>-<ID>`. */
  readonly folder: string;
  /** Events now in the log (their files are deleted). */
  readonly imported: number;
  /** Empty files: MinIO treats them as delivered; deleted. */
  readonly empty: number;
  /** Files left in place, with the reason (unreadable JSON, S2 batch files, a full queue). */
  readonly left: readonly { readonly file: string; readonly reason: string }[];
}

export interface MinioQueueImportOptions {
  readonly log: EventLog;
  readonly queueDir: string;
  /** MinIO's type name as in the ARN (`webhook`, `postgresql`, …). */
  readonly minioType: string;
  /** The target's ID (`_` for the default target). */
  readonly id: string;
  /** The log's consumer id, `<ID>:<TYPE>`. */
  readonly targetId: string;
  readonly logger?: Logger;
}

/** Appended per log call: one group commit per chunk. */
const IMPORT_CHUNK = 1_000;

/**
 * Moves the events a MinIO server left in its own queue store (facts §7: `<queue_dir>/minio-<type>-<ID>/`,
 * one `<uuid>.event` file of bare record JSON per event) into the log, oldest file first as MinIO would
 * replay them, so that switching from MinIO to s3notify on the same queue_dir loses nothing. A file is
 * deleted only once its event is durable in the log; a crash in between imports it again (at least once).
 * Files that cannot be imported stay where they are, each named in a warning.
 */
export async function importMinioQueue(options: MinioQueueImportOptions): Promise<MinioQueueImport | undefined> {
  const { log, queueDir, minioType, id, targetId, logger } = options;
  const folder = join(queueDir, `minio-${minioType}-${id}`);
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT" || (error as NodeJS.ErrnoException).code === "ENOTDIR") return undefined;
    logger?.warn(`cannot read MinIO's queue folder ${folder}: ${(error as Error).message}; its events were not imported`, { targetId });
    return { folder, imported: 0, empty: 0, left: [{ file: folder, reason: (error as Error).message }] };
  }

  const left: { file: string; reason: string }[] = [];
  let empty = 0;
  const files: { name: string; mtimeMs: number }[] = [];
  for (const name of names) {
    const path = join(folder, name);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) continue;
    if (name.endsWith(".event.snappy")) {
      left.push({ file: name, reason: "a MinIO Kafka batch file (S2-compressed) is not imported; replay it with MinIO" });
    } else if (!name.endsWith(".event")) {
    } else if (info.size === 0) {
      // MinIO counts an empty file as already delivered.
      await rm(path, { force: true });
      empty++;
    } else {
      files.push({ name, mtimeMs: info.mtimeMs });
    }
  }
  // MinIO replays files found at start-up in file-time order.
  files.sort((left, right) => left.mtimeMs - right.mtimeMs || (left.name < right.name ? -1 : left.name > right.name ? 1 : 0));

  let imported = 0;
  for (let start = 0; start < files.length; start += IMPORT_CHUNK) {
    const chunk: { name: string; record: EventRecord }[] = [];
    for (const { name } of files.slice(start, start + IMPORT_CHUNK)) {
      const text = await readFile(join(folder, name), "utf8");
      const record = parseRecord(text);
      if (typeof record === "string") left.push({ file: name, reason: record });
      else chunk.push({ name, record });
    }
    if (chunk.length === 0) continue;
    const results = await log.append(chunk.map(({ record }) => ({ record, targets: [targetId] })));
    for (const [index, result] of results.entries()) {
      const { name } = chunk[index] as { name: string };
      if (result.accepted.includes(targetId)) {
        await rm(join(folder, name), { force: true });
        imported++;
      } else {
        left.push({ file: name, reason: result.refused[0]?.reason ?? "refused by the log" });
      }
    }
  }

  if (left.length === 0) await rmdir(folder).catch(() => undefined);
  if (imported > 0 || empty > 0) logger?.info(`imported ${imported} queued events from MinIO's queue folder ${folder}`, { targetId, imported, empty });
  for (const { file, reason } of left) logger?.warn(`MinIO queue file ${join(folder, file)} left in place: ${reason}`, { targetId });
  return { folder, imported, empty, left };
}

/** The record of a MinIO `.event` file, or why it is not one. */
function parseRecord(text: string): EventRecord | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return `not JSON: ${(error as Error).message}`;
  }
  const record = value as Partial<EventRecord> | null;
  if (typeof record !== "object" || record === null || typeof record.eventName !== "string" || typeof record.s3?.bucket?.name !== "string") {
    return "not an event record (no eventName or s3.bucket.name)";
  }
  return record as EventRecord;
}
