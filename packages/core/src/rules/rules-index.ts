import { eventNameBit, eventNameMask } from "../event/event-names.js";
import type { EventName, NotificationConfiguration, QueueConfiguration } from "../types.js";
import { targetIdString } from "./arn.js";
import { newPattern } from "./pattern.js";
import { PatternIndex } from "./pattern-index.js";

/** One QueueConfiguration's target and the concrete events it hears, as a bit mask. */
interface RuleTarget {
  readonly targetId: string;
  readonly events: number;
}

interface BucketRules {
  readonly configuration: NotificationConfiguration;
  /** Union of every entry's events: a quick "nobody listens" answer. */
  readonly events: number;
  readonly patterns: PatternIndex<RuleTarget>;
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
 * when set (into event bit masks); patterns indexed by shape (PatternIndex)
 * so that matching costs about the key's length, not the number of rules; a
 * match is the union of the targets of every matching entry, one copy each.
 */
export class RulesIndex {
  private readonly buckets = new Map<string, BucketRules>();

  /** Replaces the bucket's whole rule set; an empty configuration removes it. */
  set(bucket: string, configuration: NotificationConfiguration): void {
    if (configuration.queues.length === 0) {
      this.buckets.delete(bucket);
      return;
    }
    const patterns = new PatternIndex<RuleTarget>();
    let events = 0;
    for (const queue of configuration.queues) {
      const target: RuleTarget = { targetId: targetIdString(queue.arn), events: eventNameMask(queue.events) };
      events = (events | target.events) >>> 0;
      patterns.add(queuePattern(queue), target);
    }
    this.buckets.set(bucket, { configuration, events, patterns });
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
    const rules = this.buckets.get(bucket);
    return rules !== undefined && (rules.events & eventNameBit(eventName)) !== 0;
  }

  /** Target ids (`<ID>:<TYPE>`) whose rules match the event and the raw object name. */
  match(bucket: string, eventName: EventName, key: string): Set<string> {
    const targets = new Set<string>();
    const rules = this.buckets.get(bucket);
    if (rules === undefined) return targets;
    const bit = eventNameBit(eventName);
    if ((rules.events & bit) === 0) return targets;
    rules.patterns.forEachMatch(key, (target) => {
      if ((target.events & bit) !== 0) targets.add(target.targetId);
    });
    return targets;
  }
}
