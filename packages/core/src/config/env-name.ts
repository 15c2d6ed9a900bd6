import type { ConfigKeySpec, TargetPlugin } from "../types.js";

/** The `<TYPE>` of `MINIO_NOTIFY_<TYPE>_...`: the upper-cased slug (`postgres` → `POSTGRES`). */
export function envTypeFor(plugin: Pick<TargetPlugin, "type">): string {
  return plugin.type.toUpperCase().replace(/-/g, "_");
}

/**
 * The environment variable for one key of one target: `MINIO_NOTIFY_<TYPE>_<KEY>` for the
 * default target `_`, `MINIO_NOTIFY_<TYPE>_<KEY>_<ID>` otherwise (ID case kept). Irregular
 * names (`PUBLISHING_CONFIRMS`) come from `ConfigKeySpec.envName`.
 */
export function envNameFor(plugin: Pick<TargetPlugin, "type" | "keys">, key: string | ConfigKeySpec, targetId = "_"): string {
  const spec = typeof key === "string" ? plugin.keys.find((candidate) => candidate.name === key) : key;
  const name = typeof key === "string" ? key : key.name;
  const suffix = spec?.envName ?? name.toUpperCase();
  const base = `MINIO_NOTIFY_${envTypeFor(plugin)}_${suffix}`;
  return targetId === "_" ? base : `${base}_${targetId}`;
}
