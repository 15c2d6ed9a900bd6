import type { EventRecord } from "../types.js";
import { goJson, isGoJson } from "./go-json.js";

const texts = new WeakMap<EventRecord, string>();

/**
 * `goJson(record)`, made once per record object: the store, the runner's size check and every target
 * that hears the event share one serialization. Records are never changed once built.
 */
export function recordJson(record: EventRecord): string {
  let text = texts.get(record);
  if (text === undefined) {
    text = goJson(record);
    texts.set(record, text);
  }
  return text;
}

/**
 * Remember `text` as the JSON of `record`, when it was parsed from that text (the store reading back
 * what it wrote). Text that goJson would have written differently (an older log) is not kept.
 */
export function rememberRecordJson(record: EventRecord, text: string): void {
  if (isGoJson(text)) texts.set(record, text);
}
