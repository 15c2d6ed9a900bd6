import { ConfigError } from "../errors/config-error.js";
import type { ConfigKeySpec, RegisteredPlugin, StoredTargetSettings, TargetRegistry } from "../types.js";
import { allKeysFor, keyKindOf } from "./common-keys.js";
import { missingPluginHint } from "./minio-target-types.js";
import { formatGoDuration } from "./values.js";

/** The legacy JSON name of a KV key: `auth_token` → `authToken`. */
export function jsonNameFor(spec: Pick<ConfigKeySpec, "name" | "jsonName">): string {
  return spec.jsonName ?? spec.name.replace(/_([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function getPath(settings: Record<string, unknown>, path: string): unknown {
  let current: unknown = settings;
  for (const part of path.split(".")) {
    if (!isObject(current) || !(part in current)) return undefined;
    current = current[part];
  }
  return current;
}

function toKvValue(spec: ConfigKeySpec, value: unknown, location: { subsystem: string; targetId: string }): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "boolean") return value ? "on" : "off";
  if (typeof value === "number" || typeof value === "bigint") {
    if (keyKindOf(spec) === "duration") return formatGoDuration(value);
    return String(value);
  }
  if (typeof value === "string") return value;
  if (Array.isArray(value) && value.every((item) => typeof item === "string" || typeof item === "number")) return value.join(",");
  throw new ConfigError(
    { ...location, key: spec.name },
    `expected a string, number or boolean in the JSON configuration, found ${Array.isArray(value) ? "an array" : typeof value}`,
  );
}

function findPlugin(registry: TargetRegistry, typeKey: string): RegisteredPlugin | undefined {
  return registry.getByArnType(typeKey) ?? registry.get(typeKey);
}

/** Whether an object under a type key is one settings object rather than a map of ids. */
function looksLikeSettings(value: Record<string, unknown>): boolean {
  return Object.values(value).some((item) => !isObject(item)) && Object.keys(value).length > 0;
}

/**
 * Parse MinIO's legacy JSON configuration (config.json up to version "33", facts §5.12):
 * `{"notify": {"<arn type>": {"<id>": { camelCase keys }}}}`. The type key is MinIO's ARN
 * type (`postgresql`; our slug is accepted too); a type holding one settings object directly
 * is target "1", the legacy default id. Keys are matched by `ConfigKeySpec.jsonName` (default:
 * camelCase of the KV name, dotted paths for nested objects) or by their snake_case KV name;
 * booleans become on/off, nanosecond numbers of duration keys Go duration strings, arrays
 * comma lists; `plugin.fromLegacyJson` maps shapes beyond that. Legacy-only fields that have
 * no KV key (MySQL's `host`, `port`, ...) are ignored, as MinIO's migration ignores them.
 */
export function parseJsonConfig(json: string | unknown, registry: TargetRegistry): StoredTargetSettings[] {
  let document: unknown = json;
  if (typeof json === "string") {
    try {
      document = JSON.parse(json);
    } catch (error) {
      throw new ConfigError({ subsystem: "notify" }, `invalid JSON configuration: ${(error as Error).message}`, { cause: error });
    }
  }
  if (!isObject(document)) throw new ConfigError({ subsystem: "notify" }, "the JSON configuration must be an object");
  const notify = "notify" in document ? document.notify : undefined;
  if (notify === undefined || notify === null) return [];
  if (!isObject(notify)) throw new ConfigError({ subsystem: "notify" }, `"notify" must be an object of target types`);
  const targets: StoredTargetSettings[] = [];
  for (const [typeKey, byId] of Object.entries(notify)) {
    const registered = findPlugin(registry, typeKey);
    if (registered === undefined) {
      const known = registry.list().map((entry) => entry.plugin.arnType);
      throw new ConfigError(
        { subsystem: `notify_${typeKey}` },
        `unknown target type '${typeKey}' in the JSON configuration` +
          (known.length > 0 ? ` (known: ${known.join(", ")})` : "") +
          `; ${missingPluginHint(typeKey)}`,
      );
    }
    const plugin = registered.plugin;
    const subsystem = `notify_${plugin.type}`;
    if (!isObject(byId)) throw new ConfigError({ subsystem }, `"notify.${typeKey}" must be an object of target ids`);
    const entries: [string, unknown][] = looksLikeSettings(byId) ? [["1", byId]] : Object.entries(byId);
    for (const [id, settings] of entries) {
      if (!isObject(settings)) throw new ConfigError({ subsystem, targetId: id }, `"notify.${typeKey}.${id}" must be an object of settings`);
      if (id === "" || id.includes(":")) throw new ConfigError({ subsystem }, `invalid target id '${id}'`);
      const values: Record<string, string> = {};
      for (const spec of allKeysFor(plugin)) {
        const jsonName = jsonNameFor(spec);
        const raw = getPath(settings, jsonName) ?? (jsonName !== spec.name ? settings[spec.name] : undefined);
        const value = toKvValue(spec, raw, { subsystem, targetId: id });
        if (value !== undefined) values[spec.name] = value;
      }
      if (plugin.fromLegacyJson) Object.assign(values, plugin.fromLegacyJson(settings));
      targets.push({ type: plugin.type, id, values });
    }
  }
  return targets;
}
