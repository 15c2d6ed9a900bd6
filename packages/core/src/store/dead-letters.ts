import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { EventRecord } from "../types.js";
import { targetFileName } from "./file-event-log.js";

/** One line of `<queue_dir>/dead-letters/<target>.jsonl`. */
export interface DeadLetter {
  readonly time: string;
  readonly targetId: string;
  readonly position: number;
  readonly reason: string;
  readonly record: EventRecord;
}

/**
 * The events a file log set aside for a target, oldest first ([] when there are none).
 * Replay them by publishing their `record`s again once the cause is fixed; a torn last
 * line (crash mid-write) is skipped.
 */
export async function readDeadLetters(queueDir: string, targetId: string): Promise<DeadLetter[]> {
  let text: string;
  try {
    text = await readFile(join(queueDir, "dead-letters", `${targetFileName(targetId)}.jsonl`), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const letters: DeadLetter[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      letters.push(JSON.parse(line) as DeadLetter);
    } catch {
      // A line cut by a crash: the event is still pending in the log and is delivered or set aside again.
    }
  }
  return letters;
}
