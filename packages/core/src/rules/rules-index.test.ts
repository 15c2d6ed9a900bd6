import { describe, expect, it } from "vitest";
import { EVENT_NAMES, expandEventName, WILDCARD_EVENT_NAMES } from "../event/event-names.js";
import type { EventName, FilterRule, NotificationConfiguration, QueueConfiguration, RuleEventName } from "../types.js";
import { parseNotificationXml } from "./notification-xml.js";
import { matchSimple } from "./pattern.js";
import { PatternIndex } from "./pattern-index.js";
import { queuePattern, RulesIndex } from "./rules-index.js";

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)] as T;
}

function text(next: () => number, alphabet: readonly string[], maxLength: number): string {
  let result = "";
  const length = Math.floor(next() * (maxLength + 1));
  for (let index = 0; index < length; index++) result += pick(next, alphabet);
  return result;
}

function bruteForce(configuration: NotificationConfiguration, eventName: EventName, key: string): Set<string> {
  const targets = new Set<string>();
  for (const queue of configuration.queues) {
    const events = queue.events.flatMap((name) => expandEventName(name));
    if (events.includes(eventName) && matchSimple(queuePattern(queue), key)) targets.add(`${queue.arn.id}:${queue.arn.type}`);
  }
  return targets;
}

const RULE_NAMES: readonly RuleEventName[] = [...EVENT_NAMES, ...(Object.keys(WILDCARD_EVENT_NAMES) as RuleEventName[])];

function randomConfiguration(next: () => number, size: number, valueAlphabet: readonly string[]): NotificationConfiguration {
  const queues: QueueConfiguration[] = [];
  for (let index = 0; index < size; index++) {
    const filterRules: FilterRule[] = [];
    if (next() < 0.7) filterRules.push({ name: "prefix", value: text(next, valueAlphabet, 4) });
    if (next() < 0.6) filterRules.push({ name: "suffix", value: text(next, valueAlphabet, 3) });
    if (next() < 0.5) filterRules.reverse();
    const events = new Set<RuleEventName>();
    const eventCount = 1 + Math.floor(next() * 3);
    for (let count = 0; count < eventCount; count++) events.add(pick(next, RULE_NAMES));
    queues.push({
      id: "",
      arn: { region: "", id: String(Math.floor(next() * 12)), type: pick(next, ["webhook", "amqp", "kafka"]) },
      events: [...events],
      filterRules,
    });
  }
  return { queues };
}

describe("RulesIndex", () => {
  it("matches like a brute-force MatchSimple scan over random rule sets (fixed seed)", () => {
    const next = random(424242);
    const valueAlphabet = ["a", "b", "/", ".", "*", "?", "\u00e9"];
    const keyAlphabet = ["a", "b", "/", ".", "\u00e9"];
    const concrete = EVENT_NAMES;
    let nonEmptyMatches = 0;
    for (let round = 0; round < 150; round++) {
      const configuration = randomConfiguration(next, 1 + Math.floor(next() * 25), valueAlphabet);
      const index = new RulesIndex();
      index.set("bucket", configuration);
      for (let probe = 0; probe < 60; probe++) {
        const eventName = pick(next, concrete);
        const key = text(next, keyAlphabet, 7);
        const expected = bruteForce(configuration, eventName, key);
        const actual = index.match("bucket", eventName, key);
        if (expected.size > 0) nonEmptyMatches++;
        expect([...actual].sort(), `round ${round} event ${eventName} key ${JSON.stringify(key)}`).toEqual([...expected].sort());
      }
    }
    // The generator must exercise real matches, not only empty sets.
    expect(nonEmptyMatches).toBeGreaterThan(500);
  });

  it("expands wildcards, unions entries and returns one copy per target", () => {
    const index = new RulesIndex();
    index.set(
      "photos",
      parseNotificationXml(`<NotificationConfiguration>
        <QueueConfiguration><Queue>arn:minio:sqs::1:webhook</Queue><Event>s3:ObjectCreated:*</Event>
          <Filter><S3Key><FilterRule><Name>prefix</Name><Value>2024/</Value></FilterRule></S3Key></Filter></QueueConfiguration>
        <QueueConfiguration><Queue>arn:minio:sqs::1:webhook</Queue><Event>s3:ObjectCreated:Put</Event>
          <Filter><S3Key><FilterRule><Name>suffix</Name><Value>.jpg</Value></FilterRule></S3Key></Filter></QueueConfiguration>
        <QueueConfiguration><Queue>arn:minio:sqs::2:amqp</Queue><Event>s3:ObjectCreated:Put</Event><Event>s3:BucketCreated:*</Event></QueueConfiguration>
        <QueueConfiguration><Queue>arn:minio:sqs::3:kafka</Queue><Event>s3:ObjectRemoved:*</Event>
          <Filter><S3Key><FilterRule><Name>prefix</Name><Value>abc</Value></FilterRule><FilterRule><Name>suffix</Name><Value>bcd</Value></FilterRule></S3Key></Filter></QueueConfiguration>
      </NotificationConfiguration>`),
    );
    expect([...index.match("photos", "s3:ObjectCreated:Put", "2024/a.jpg")].sort()).toEqual(["1:webhook", "2:amqp"]);
    expect([...index.match("photos", "s3:ObjectCreated:Copy", "2024/a.png")]).toEqual(["1:webhook"]);
    expect([...index.match("photos", "s3:ObjectCreated:Copy", "2023/a.png")]).toEqual([]);
    expect([...index.match("photos", "s3:BucketCreated:*", "")]).toEqual(["2:amqp"]);
    expect([...index.match("photos", "s3:ObjectRemoved:NoOP", "abcd")]).toEqual([]);
    expect([...index.match("photos", "s3:ObjectRemoved:NoOP", "abcbcd")]).toEqual(["3:kafka"]);
    expect([...index.match("photos", "s3:ObjectRemoved:DeleteAllVersions", "abc/x/bcd")]).toEqual(["3:kafka"]);
    expect(index.match("photos", "s3:LifecycleDelMarkerExpiration:Delete", "abcbcd").size).toBe(0);
    expect(index.match("other", "s3:ObjectCreated:Put", "2024/a.jpg").size).toBe(0);
    expect(index.has("photos", "s3:ObjectCreated:Put")).toBe(true);
    expect(index.has("photos", "s3:ObjectAccessed:Get")).toBe(false);
    // A name from untyped JavaScript that is no concrete event matches nothing instead of throwing.
    expect(index.match("photos", "s3:ObjectCreated:*" as EventName, "2024/a.jpg").size).toBe(0);
  });

  it("replaces a bucket's rules on set, and forgets them on remove or an empty set", () => {
    const index = new RulesIndex();
    const first = parseNotificationXml(
      "<NotificationConfiguration><QueueConfiguration><Queue>arn:minio:sqs::1:webhook</Queue><Event>s3:ObjectCreated:Put</Event></QueueConfiguration></NotificationConfiguration>",
    );
    const second = parseNotificationXml(
      "<NotificationConfiguration><QueueConfiguration><Queue>arn:minio:sqs::2:webhook</Queue><Event>s3:ObjectRemoved:Delete</Event></QueueConfiguration></NotificationConfiguration>",
    );
    index.set("b", first);
    expect(index.get("b")).toBe(first);
    index.set("b", second);
    expect(index.match("b", "s3:ObjectCreated:Put", "k").size).toBe(0);
    expect([...index.match("b", "s3:ObjectRemoved:Delete", "k")]).toEqual(["2:webhook"]);
    expect(index.bucketNames()).toEqual(["b"]);
    index.remove("b");
    expect(index.get("b")).toBeUndefined();
    index.set("b", first);
    index.set("b", { queues: [] });
    expect(index.get("b")).toBeUndefined();
    expect(index.match("b", "s3:ObjectCreated:Put", "k").size).toBe(0);
  });
});

describe("PatternIndex", () => {
  it("handles every pattern shape", () => {
    const index = new PatternIndex<string>();
    const patterns = ["*", "", "exact", "img/*", "img/2024/*", "*.jpg", "*/thumb.jpg", "img/*.jpg", "img/*2024/x.jpg", "a?c", "a*b*c", "**x**", "img/**.png"];
    for (const pattern of patterns) index.add(pattern, pattern);
    const names = ["", "exact", "img/", "img/2024/x.jpg", "img/a/thumb.jpg", "abc", "a/b/c", "x", "img/p.png", "img.jpg", "im", "a", "ac"];
    for (const name of names) {
      const expected = patterns.filter((pattern) => matchSimple(pattern, name)).sort();
      expect([...index.match(name)].sort(), name).toEqual(expected);
    }
  });

  it("keeps working with 100,000 prefix and suffix rules", () => {
    const index = new PatternIndex<number>();
    for (let rule = 0; rule < 100_000; rule++) {
      if (rule % 3 === 0) index.add(`tenant-${rule}/*`, rule);
      else if (rule % 3 === 1) index.add(`*.ext${rule}`, rule);
      else index.add(`tenant-${rule}/*.ext${rule}`, rule);
    }
    expect([...index.match("tenant-300/file.ext301")]).toEqual([300, 301]);
    expect([...index.match("tenant-302/a.ext302")].sort()).toEqual([302]);
    expect(index.match("tenant-302/a.ext303").size).toBe(0);
  });
});
