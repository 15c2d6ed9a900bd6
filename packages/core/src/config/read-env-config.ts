import type { StoredTargetSettings, TargetPlugin, TargetRegistry } from "../types.js";
import { allKeysFor } from "./common-keys.js";
import { envNameFor } from "./env-name.js";

/** The environment as Node gives it. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** The value of an environment variable as MinIO's `env.Get` reads it: trimmed, and absent when empty. */
export function envValue(env: Environment, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

/** The non-empty, trimmed environment values of one target's keys. */
export function envValuesFor(env: Environment, plugin: TargetPlugin, targetId: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const spec of allKeysFor(plugin)) {
    const value = envValue(env, envNameFor(plugin, spec, targetId));
    if (value !== undefined) values[spec.name] = value;
  }
  return values;
}

/** Ids of the targets the environment creates for a plugin: `..._ENABLE` → `_`, `..._ENABLE_<ID>` → `<ID>` (case kept). */
export function envTargetIds(env: Environment, plugin: TargetPlugin): string[] {
  const enable = envNameFor(plugin, allKeysFor(plugin).find((key) => key.name === "enable") ?? "enable");
  const ids = new Set<string>();
  for (const name of Object.keys(env)) {
    if (name === enable) ids.add("_");
    else if (name.startsWith(`${enable}_`) && name.length > enable.length + 1) ids.add(name.slice(enable.length + 1));
  }
  return [...ids];
}

/**
 * The targets the environment defines (facts §5.1): every `MINIO_NOTIFY_<TYPE>_ENABLE[_<ID>]`
 * variable creates one, even when empty; its values are the non-empty, trimmed
 * `MINIO_NOTIFY_<TYPE>_<KEY>[_<ID>]` variables.
 */
export function readEnvConfig(env: Environment, registry: TargetRegistry): StoredTargetSettings[] {
  const targets: StoredTargetSettings[] = [];
  for (const { plugin } of registry.list()) {
    for (const id of envTargetIds(env, plugin).sort()) {
      targets.push({ type: plugin.type, id, values: envValuesFor(env, plugin, id) });
    }
  }
  return targets;
}
