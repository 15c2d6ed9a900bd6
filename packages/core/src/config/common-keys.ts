import type { ConfigKeyKind, ConfigKeySpec, TargetPlugin } from "../types.js";

/** Keys every target accepts (facts §5.1); core adds them to each plugin's own keys. */
export const COMMON_KEYS: readonly ConfigKeySpec[] = Object.freeze([
  { name: "enable", default: "off", kind: "bool", help: "enable the target: 'on' or 'off'" },
  { name: "queue_dir", default: "", jsonName: "queueDir", help: "staging dir for undelivered messages, e.g. '/home/events' (an absolute path)" },
  { name: "queue_limit", default: "0", kind: "int", jsonName: "queueLimit", help: "maximum limit for undelivered messages, defaults to '100000'" },
  { name: "comment", default: "", help: "optionally add a comment to this setting" },
]);

/** The sub-system of a plugin's targets: `notify_<slug>`. */
export function subsystemFor(plugin: Pick<TargetPlugin, "type">): string {
  return `notify_${plugin.type}`;
}

/** A plugin's keys followed by the common keys (a plugin's own definition of a common key wins). */
export function allKeysFor(plugin: Pick<TargetPlugin, "keys">): readonly ConfigKeySpec[] {
  const own = new Set(plugin.keys.map((key) => key.name));
  return [...plugin.keys, ...COMMON_KEYS.filter((key) => !own.has(key.name))];
}

/** The keys a stored configuration (KV text, JSON file) may set: all but the environment-only ones. */
export function storableKeysFor(plugin: Pick<TargetPlugin, "keys">): readonly ConfigKeySpec[] {
  return allKeysFor(plugin).filter((key) => !key.envOnly);
}

/**
 * A key's value kind: its declared `kind`, else inferred from its MinIO default (`on`/`off` →
 * bool, `0s`/`10m` → duration, digits → int), so that plugins written without `kind` still get
 * legacy JSON booleans and nanosecond durations mapped.
 */
export function keyKindOf(spec: Pick<ConfigKeySpec, "kind" | "default">): ConfigKeyKind {
  if (spec.kind) return spec.kind;
  if (spec.default === "on" || spec.default === "off") return "bool";
  if (/^\d+(\.\d+)?(ns|us|\u00b5s|\u03bcs|ms|s|m|h)$/.test(spec.default)) return "duration";
  if (/^\d+$/.test(spec.default)) return "int";
  return "string";
}
