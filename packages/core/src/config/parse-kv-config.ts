import { ConfigError } from "../errors/config-error.js";
import type { RegisteredPlugin, StoredTargetSettings, TargetRegistry } from "../types.js";
import { storableKeysFor } from "./common-keys.js";
import { missingPluginHint } from "./minio-target-types.js";
import { redactUnknownKeyValue } from "./redact.js";

export interface ParseKvConfigOptions {
  /** Skip lines of sub-systems other than `notify_*` (a full `mc admin config export`). Default: refuse them. */
  readonly ignoreOtherSubsystems?: boolean;
}

interface Pair {
  readonly key: string;
  readonly value: string;
}

const ESCAPES: Readonly<Record<string, string>> = { n: "\n", t: "\t", r: "\r", '"': '"', "'": "'", "\\": "\\" };

function tokenize(line: string, subsystem: string, lineNumber: number): Pair[] {
  const pairs: Pair[] = [];
  let position = 0;
  const fail = (reason: string) => new ConfigError({ subsystem }, `line ${lineNumber}: ${reason}`);
  while (position < line.length) {
    while (position < line.length && /\s/.test(line.charAt(position))) position++;
    if (position >= line.length) break;
    if (line.charAt(position) === "#") break;
    const equals = line.indexOf("=", position);
    const keyText = line.slice(position, equals === -1 ? undefined : equals);
    if (equals === -1 || keyText === "" || /\s/.test(keyText)) {
      throw fail(`expected key=value, found '${keyText.split(/\s/)[0] ?? keyText}'`);
    }
    position = equals + 1;
    let value = "";
    const quote = line.charAt(position);
    if (quote === '"' || quote === "'") {
      position++;
      let closed = false;
      while (position < line.length) {
        const character = line.charAt(position);
        if (character === quote) {
          closed = true;
          position++;
          break;
        }
        if (character === "\\" && quote === '"' && position + 1 < line.length) {
          const next = line.charAt(position + 1);
          value += ESCAPES[next] ?? `\\${next}`;
          position += 2;
          continue;
        }
        value += character;
        position++;
      }
      if (!closed) throw fail(`unterminated quoted value for key '${keyText}'`);
      if (position < line.length && !/\s/.test(line.charAt(position))) throw fail(`expected a space after the quoted value of '${keyText}'`);
    } else {
      const start = position;
      while (position < line.length && !/\s/.test(line.charAt(position))) position++;
      value = line.slice(start, position);
    }
    pairs.push({ key: keyText, value });
  }
  return pairs;
}

function findPlugin(registry: TargetRegistry, subsystem: string): RegisteredPlugin | undefined {
  return subsystem.startsWith("notify_") ? registry.get(subsystem.slice("notify_".length)) : undefined;
}

/**
 * Parse MinIO's KV configuration text (`mc admin config get/export` output):
 * `notify_webhook:1 endpoint="http://x" queue_dir="/tmp/q"`, `notify_webhook endpoint=...`
 * for the default target `_`, `#` comments and blank lines. Lines for one target merge,
 * later keys winning. Unknown sub-systems and keys are ConfigErrors; secret values never
 * appear in their messages.
 */
export function parseKvConfig(text: string, registry: TargetRegistry, options: ParseKvConfigOptions = {}): StoredTargetSettings[] {
  const targets = new Map<string, { type: string; id: string; values: Record<string, string> }>();
  const lines = text.split(/\r?\n/);
  for (const [index, rawLine] of lines.entries()) {
    const line = rawLine.trim();
    if (line === "" || line.startsWith("#")) continue;
    const head = /^\S+/.exec(line)?.[0] ?? "";
    const colon = head.indexOf(":");
    const subsystem = colon === -1 ? head : head.slice(0, colon);
    const id = colon === -1 ? "_" : head.slice(colon + 1);
    const registered = findPlugin(registry, subsystem);
    if (registered === undefined) {
      if (options.ignoreOtherSubsystems && !subsystem.startsWith("notify_")) continue;
      const known = registry.list().map((entry) => `notify_${entry.plugin.type}`);
      const hint = subsystem.startsWith("notify_") ? `; ${missingPluginHint(subsystem.slice("notify_".length))}` : "";
      throw new ConfigError(
        { subsystem },
        `line ${index + 1}: unknown sub-system '${subsystem}'${known.length > 0 ? ` (known: ${known.join(", ")})` : ""}${hint}`,
      );
    }
    if (id === "" || id.includes(":")) {
      throw new ConfigError({ subsystem }, `line ${index + 1}: invalid target id '${id}'`);
    }
    const plugin = registered.plugin;
    const pairs = tokenize(line.slice(head.length), subsystem, index + 1);
    const keys = new Set(storableKeysFor(plugin).map((key) => key.name));
    const invalid = pairs.filter((pair) => !keys.has(pair.key));
    if (invalid.length > 0) {
      const target = id === "_" ? subsystem : `${subsystem}:${id}`;
      const shown = invalid.map((pair) => `${pair.key}=${redactUnknownKeyValue(pair.key, pair.value)}`).join(" ");
      throw new ConfigError(
        { subsystem, targetId: id },
        `found invalid keys (${shown}) for '${target}' sub-system, use 'mc admin config reset myminio ${target}' to fix invalid keys`,
      );
    }
    const mapKey = `${plugin.type}\u0000${id}`;
    const entry = targets.get(mapKey) ?? { type: plugin.type, id, values: {} };
    for (const pair of pairs) entry.values[pair.key] = pair.value;
    targets.set(mapKey, entry);
  }
  return [...targets.values()];
}
