import { expandEventName } from "../event/event-names.js";
import type { EventName, NotificationConfiguration } from "../types.js";

/** What the notifier needs from a rules index (rules/RulesIndex provides it). */
export interface BucketRules {
  set(bucket: string, configuration: NotificationConfiguration): void;
  get(bucket: string): NotificationConfiguration | undefined;
  remove(bucket: string): void;
  /** Target ids (`<ID>:<TYPE>`) whose rules match. */
  match(bucket: string, eventName: EventName, key: string): Set<string>;
}

function matchSimple(pattern: string, text: string): boolean {
  const parts = pattern.split("*");
  if (parts.length === 1) return pattern === text;
  const first = parts[0] as string;
  const last = parts[parts.length - 1] as string;
  if (!text.startsWith(first) || text.length < first.length + last.length || !text.endsWith(last)) return false;
  let offset = first.length;
  const end = text.length - last.length;
  for (const middle of parts.slice(1, -1)) {
    const found = text.indexOf(middle, offset);
    if (found === -1 || found + middle.length > end) return false;
    offset = found + middle.length;
  }
  return true;
}

/** A plain rules map used until rules/RulesIndex is wired: prefix*suffix patterns, wildcard names expanded. */
export class InterimBucketRules implements BucketRules {
  private readonly rules = new Map<string, NotificationConfiguration>();
  set(bucket: string, configuration: NotificationConfiguration): void {
    this.rules.set(bucket, configuration);
  }
  get(bucket: string): NotificationConfiguration | undefined {
    return this.rules.get(bucket);
  }
  remove(bucket: string): void {
    this.rules.delete(bucket);
  }
  match(bucket: string, eventName: EventName, key: string): Set<string> {
    const matched = new Set<string>();
    for (const queue of this.rules.get(bucket)?.queues ?? []) {
      if (!queue.events.some((name) => expandEventName(name).includes(eventName))) continue;
      const prefix = queue.filterRules.find((rule) => rule.name === "prefix")?.value ?? "";
      const suffix = queue.filterRules.find((rule) => rule.name === "suffix")?.value ?? "";
      if (!matchSimple(`${prefix}*${suffix}`, key)) continue;
      matched.add(`${queue.arn.id}:${queue.arn.type}`);
    }
    return matched;
  }
}
