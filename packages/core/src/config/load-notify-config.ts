import { ConfigError } from "../errors/config-error.js";
import type { NotifyConfig, StoredTargetSettings, TargetRegistry, TargetSettings } from "../types.js";
import { allKeysFor, subsystemFor } from "./common-keys.js";
import { MINIO_TARGET_TYPES, missingPluginHint } from "./minio-target-types.js";
import { isConfigError, throwCollected } from "./notify-config-error.js";
import { parseJsonConfig } from "./parse-json-config.js";
import { parseKvConfig } from "./parse-kv-config.js";
import { type Environment, envTargetIds, envValuesFor } from "./read-env-config.js";
import { parseMinioBool } from "./values.js";

export interface LoadNotifyConfigOptions {
  readonly registry: TargetRegistry;
  /** The legacy JSON configuration (text or parsed), facts §5.12. */
  readonly json?: string | unknown;
  /** MinIO KV configuration text (`notify_webhook:1 endpoint=...`). */
  readonly kv?: string;
  /** The environment (`process.env`); none is read unless given. */
  readonly env?: Environment;
}

function compareIds(left: string, right: string): number {
  if (left === right) return 0;
  if (left === "_") return -1;
  if (right === "_") return 1;
  return left < right ? -1 : 1;
}

/**
 * Merge the three configuration forms with MinIO's precedence, per key: a non-empty
 * (trimmed) environment value, else the stored value (KV text over JSON file), else the
 * default. Targets are those stored plus those `MINIO_NOTIFY_<TYPE>_ENABLE[_<ID>]` creates;
 * a stored target without `enable` is enabled (as `mc admin config set` stores it), an
 * environment-only one starts from the defaults (`enable=off`). Every target is returned,
 * enabled or not, with every key. An unparsable `enable` fails the whole load.
 */
export function loadNotifyConfig(options: LoadNotifyConfigOptions): NotifyConfig {
  const { registry } = options;
  const env = options.env ?? {};
  const stored = new Map<string, StoredTargetSettings>();
  const storedSources: StoredTargetSettings[][] = [];
  if (options.json !== undefined) storedSources.push(parseJsonConfig(options.json, registry));
  if (options.kv !== undefined) storedSources.push(parseKvConfig(options.kv, registry));
  for (const source of storedSources) {
    for (const target of source) {
      const key = `${target.type}\u0000${target.id}`;
      const previous = stored.get(key);
      stored.set(key, { type: target.type, id: target.id, values: { ...previous?.values, ...target.values } });
    }
  }

  const targets: TargetSettings[] = [];
  const errors: ConfigError[] = [];
  for (const { plugin } of registry.list()) {
    const subsystem = subsystemFor(plugin);
    const ids = new Set<string>(envTargetIds(env, plugin));
    for (const target of stored.values()) if (target.type === plugin.type) ids.add(target.id);
    for (const id of [...ids].sort(compareIds)) {
      const storedValues = stored.get(`${plugin.type}\u0000${id}`)?.values;
      const envValues = envValuesFor(env, plugin, id);
      const values: Record<string, string> = {};
      for (const spec of allKeysFor(plugin)) {
        const fromStore = spec.envOnly ? undefined : storedValues?.[spec.name];
        const implicitEnable = spec.name === "enable" && storedValues !== undefined ? "on" : undefined;
        values[spec.name] = envValues[spec.name] ?? fromStore ?? implicitEnable ?? spec.default;
      }
      let enabled = false;
      try {
        enabled = parseMinioBool(values.enable ?? "off", { subsystem, targetId: id, key: "enable" });
      } catch (error) {
        if (!isConfigError(error)) throw error;
        errors.push(error);
      }
      targets.push(Object.freeze({ type: plugin.type, id, enabled, values: Object.freeze(values) }));
    }
  }
  errors.push(...enabledWithoutPlugin(env, registry));
  throwCollected(errors);
  return Object.freeze({ targets: Object.freeze(targets) });
}

/**
 * `MINIO_NOTIFY_<TYPE>_ENABLE[_<ID>]` turning on a MinIO target type no plugin serves: an error,
 * or the host would silently deliver nothing to a target its operator enabled.
 */
function enabledWithoutPlugin(env: Environment, registry: TargetRegistry): ConfigError[] {
  const errors: ConfigError[] = [];
  for (const type of MINIO_TARGET_TYPES) {
    if (registry.get(type) !== undefined) continue;
    const enable = `MINIO_NOTIFY_${type.toUpperCase()}_ENABLE`;
    for (const [name, raw] of Object.entries(env)) {
      if (name !== enable && !name.startsWith(`${enable}_`)) continue;
      const value = raw?.trim() ?? "";
      let on = false;
      try {
        on = value !== "" && parseMinioBool(value);
      } catch {
        on = false;
      }
      if (!on) continue;
      const id = name === enable ? "_" : name.slice(enable.length + 1);
      errors.push(new ConfigError({ subsystem: `notify_${type}`, targetId: id, key: "enable" }, `${name} is on but ${missingPluginHint(type)}`));
    }
  }
  return errors;
}
