import { expandEventName } from "../event/event-names.js";
import type { EventName, NotificationConfiguration, QueueConfiguration } from "../types.js";
import { targetIdString } from "./arn.js";
import { newPattern } from "./pattern.js";
import { PatternIndex } from "./pattern-index.js";

interface BucketRules {
  readonly configuration: NotificationConfiguration;
  readonly byEvent: ReadonlyMap<EventName, PatternIndex<string>>;
}

/** The pattern MinIO derives from an entry's filter: the last prefix and last suffix rule (facts §3.5). */
export function queuePattern(queue: QueueConfiguration): string {
  let prefix = "";
  let suffix = "";
  for (const rule of queue.filterRules) {
    if (rule.name === "prefix") prefix = rule.value;
    else suffix = rule.value;
  }
  return newPattern(prefix, suffix);
}

/**
 * Every bucket's rules, ready for matching (facts §3.6): wildcards expanded
 * when set; per bucket and concrete event name a PatternIndex of target ids;
 * a match is the union of the targets of every matching pattern, one copy each.
 */
export class RulesIndex {
  private readonly buckets = new Map<string, BucketRules>();

  /** Replaces the bucket's whole rule set; an empty configuration removes it. */
  set(bucket: string, configuration: NotificationConfiguration): void {
    if (configuration.queues.length === 0) {
      this.buckets.delete(bucket);
      return;
    }
    const byEvent = new Map<EventName, PatternIndex<string>>();
    for (const queue of configuration.queues) {
      const pattern = queuePattern(queue);
      const targetId = targetIdString(queue.arn);
      for (const ruleName of queue.events) {
        for (const eventName of expandEventName(ruleName)) {
          let index = byEvent.get(eventName);
          if (index === undefined) {
            index = new PatternIndex<string>();
            byEvent.set(eventName, index);
          }
          index.add(pattern, targetId);
        }
      }
    }
    this.buckets.set(bucket, { configuration, byEvent });
  }

  remove(bucket: string): void {
    this.buckets.delete(bucket);
  }

  get(bucket: string): NotificationConfiguration | undefined {
    return this.buckets.get(bucket)?.configuration;
  }

  /** Buckets that have rules. */
  bucketNames(): string[] {
    return [...this.buckets.keys()];
  }

  /** Whether any rule of the bucket names this event (a cheap check before building a record). */
  has(bucket: string, eventName: EventName): boolean {
    return this.buckets.get(bucket)?.byEvent.has(eventName) ?? false;
  }

  /** Target ids (`<ID>:<TYPE>`) whose rules match the event and the raw object name. */
  match(bucket: string, eventName: EventName, key: string): Set<string> {
    const index = this.buckets.get(bucket)?.byEvent.get(eventName);
    return index === undefined ? new Set() : index.match(key);
  }
}
