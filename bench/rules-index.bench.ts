// Rule matching cost: RulesIndex (patterns indexed by shape in radix trees)
// against the naive scan MinIO does (every pattern of the event through
// wildcard.MatchSimple), with 10, 1,000 and 100,000 prefix/suffix rules.
//
//   npx tsx bench/rules-index.bench.ts          (BENCH_SECONDS=1 per case)
//
// The index's rate drops a little with 100,000 rules (longer keys, a tree that no
// longer fits the CPU caches); the naive scan's drops with the rule count.
// Core's sources directly (no build needed; the entry's tsyringe decorators need core's tsconfig).
import { matchSimple } from "../packages/core/src/rules/pattern.js";
import { queuePattern, RulesIndex } from "../packages/core/src/rules/rules-index.js";
import type { EventName, FilterRule, NotificationConfiguration, QueueConfiguration } from "../packages/core/src/types.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? "1");
const EVENT: EventName = "s3:ObjectCreated:Put";

/** A third each of `tenant-N/` prefixes, `.extN` suffixes and both; 100 distinct targets. */
function configuration(rules: number): NotificationConfiguration {
  const queues: QueueConfiguration[] = [];
  for (let rule = 0; rule < rules; rule++) {
    const filterRules: FilterRule[] = [];
    if (rule % 3 !== 1) filterRules.push({ name: "prefix", value: `tenant-${rule}/` });
    if (rule % 3 !== 0) filterRules.push({ name: "suffix", value: `.ext${rule}` });
    queues.push({ id: `rule-${rule}`, arn: { region: "", id: String(rule % 100), type: "webhook" }, events: ["s3:ObjectCreated:*"], filterRules });
  }
  return { queues };
}

/** MinIO's rulesMap: event → pattern → targets, matched by trying every pattern. */
class NaiveRules {
  private readonly patterns = new Map<string, Set<string>>();
  constructor(rules: NotificationConfiguration) {
    for (const queue of rules.queues) {
      const pattern = queuePattern(queue);
      const targets = this.patterns.get(pattern) ?? new Set<string>();
      targets.add(`${queue.arn.id}:${queue.arn.type}`);
      this.patterns.set(pattern, targets);
    }
  }
  match(key: string): Set<string> {
    const result = new Set<string>();
    for (const [pattern, targets] of this.patterns) if (matchSimple(pattern, key)) for (const target of targets) result.add(target);
    return result;
  }
}

function keysFor(rules: number): string[] {
  const keys: string[] = [];
  for (let index = 0; index < 1000; index++) {
    const rule = (index * 7919) % rules;
    // Half hit a rule's prefix or suffix, half match nothing.
    keys.push(index % 2 === 0 ? `tenant-${rule}/photos/2024/img-${index}.ext${rule}` : `elsewhere/${index}/file.bin`);
  }
  return keys;
}

function measure(match: (key: string) => Set<string>, keys: readonly string[]): { perSecond: number; hits: number } {
  let hits = 0;
  for (const key of keys.slice(0, 50)) hits += match(key).size; // warm-up
  hits = 0;
  let done = 0;
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  while (performance.now() < deadline) {
    for (let index = 0; index < 100; index++) hits += match(keys[(done + index) % keys.length] as string).size;
    done += 100;
  }
  return { perSecond: done / ((performance.now() - started) / 1000), hits: hits / done };
}

const rows: string[][] = [["rules", "index build ms", "index match/s", "naive match/s", "index ÷ naive", "targets per match (both)"]];
for (const count of [10, 1_000, 100_000]) {
  const rules = configuration(count);
  const keys = keysFor(count);
  const buildStarted = performance.now();
  const index = new RulesIndex();
  index.set("bucket", rules);
  const buildMs = performance.now() - buildStarted;
  const naive = new NaiveRules(rules);
  for (const key of keys) {
    const expected = [...naive.match(key)].sort().join();
    if ([...index.match("bucket", EVENT, key)].sort().join() !== expected) throw new Error(`index and naive scan disagree on ${key}`);
  }
  const fast = measure((key) => index.match("bucket", EVENT, key), keys);
  const slow = measure((key) => naive.match(key), keys);
  rows.push([
    count.toLocaleString("en-US"),
    buildMs.toFixed(0),
    Math.round(fast.perSecond).toLocaleString("en-US"),
    Math.round(slow.perSecond).toLocaleString("en-US"),
    `${(fast.perSecond / slow.perSecond).toFixed(1)}×`,
    `${fast.hits.toFixed(2)} / ${slow.hits.toFixed(2)}`,
  ]);
}

const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length))) ?? [];
for (const row of rows) console.log(row.map((cell, column) => cell.padStart(widths[column] ?? 0)).join("  "));
