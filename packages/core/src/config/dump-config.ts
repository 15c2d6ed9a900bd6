import type { ConfigKeySpec, NotifyConfig, TargetRegistry } from "../types.js";
import { keyKindOf, storableKeysFor } from "./common-keys.js";
import { jsonNameFor } from "./parse-json-config.js";
import { redactValue } from "./redact.js";
import { parseMinioBool } from "./values.js";

function quoteKv(value: string): string {
  if (value !== "" && !/[\s"'\\#=]/.test(value)) return value;
  if (value === "") return "";
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\t/g, "\\t").replace(/\r/g, "\\r")}"`;
}

function keysOf(registry: TargetRegistry, type: string): readonly ConfigKeySpec[] | undefined {
  const registered = registry.get(type);
  return registered ? storableKeysFor(registered.plugin) : undefined;
}

/**
 * The configuration as MinIO KV lines (`notify_webhook:1 enable=on endpoint=...`), one line
 * per target, every stored key. Secret keys read `*redacted*`, and passwords inside URLs,
 * libpq strings and MySQL DSNs are hidden too: the dump is safe to log. Without secrets it
 * reads back with `parseKvConfig`.
 */
export function dumpConfigKv(config: NotifyConfig, registry: TargetRegistry): string {
  const lines: string[] = [];
  for (const target of config.targets) {
    const keys = keysOf(registry, target.type);
    const head = `notify_${target.type}${target.id === "_" ? "" : `:${target.id}`}`;
    const specs = keys ?? Object.keys(target.values).map((name) => ({ name, default: "", help: "", secret: true }) satisfies ConfigKeySpec);
    const pairs = specs.map((spec) => `${spec.name}=${quoteKv(redactValue(spec, target.values[spec.name] ?? spec.default))}`);
    lines.push([head, ...pairs].join(" "));
  }
  return lines.length > 0 ? `${lines.join("\n")}\n` : "";
}

function jsonValue(spec: ConfigKeySpec, value: string): string | number | boolean {
  if (spec.name === "enable") {
    try {
      return parseMinioBool(value);
    } catch {
      return value;
    }
  }
  const kind = keyKindOf(spec);
  if (kind === "bool" && (value === "on" || value === "off")) return value === "on";
  if (kind === "int" && /^-?\d+$/.test(value) && Number.isSafeInteger(Number(value))) return Number(value);
  return value;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split(".");
  let current = target;
  for (const part of parts.slice(0, -1)) {
    const next = current[part];
    if (typeof next === "object" && next !== null) current = next as Record<string, unknown>;
    else current = current[part] = {} as Record<string, unknown>;
  }
  current[parts[parts.length - 1] ?? path] = value;
}

/**
 * The configuration in the legacy JSON shape (`{"notify": {"<arn type>": {"<id>": {...}}}}`),
 * with the same redaction as `dumpConfigKv`. Without secrets it reads back with `parseJsonConfig`.
 */
export function dumpConfigJson(config: NotifyConfig, registry: TargetRegistry): string {
  const notify: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const target of config.targets) {
    const registered = registry.get(target.type);
    const typeKey = registered?.plugin.arnType ?? target.type;
    const keys = keysOf(registry, target.type) ?? [];
    const settings: Record<string, unknown> = {};
    for (const spec of keys) {
      const shown = redactValue(spec, target.values[spec.name] ?? spec.default);
      setPath(settings, jsonNameFor(spec), jsonValue(spec, shown));
    }
    notify[typeKey] ??= {};
    notify[typeKey][target.id] = settings;
  }
  return `${JSON.stringify({ notify }, null, 2)}\n`;
}
