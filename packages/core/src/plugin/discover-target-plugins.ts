import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { TargetPackageManifest, TargetPlugin } from "../types.js";
import { SUPPORTED_TARGET_API_VERSIONS } from "./define-target-plugin.js";
import { PluginError } from "./plugin-error.js";
import { assertUsablePlugin, createTargetRegistry } from "./target-registry.js";

/** A target plugin found among the host's dependencies. */
export interface DiscoveredTargetPlugin {
  readonly plugin: TargetPlugin;
  /** The package name it was loaded from. */
  readonly source: string;
}

interface PackageJson {
  readonly name?: string;
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
  readonly s3notify?: unknown;
}

type NodeRequire = ReturnType<typeof createRequire>;

function readJson(path: string): PackageJson {
  return JSON.parse(readFileSync(path, "utf8")) as PackageJson;
}

/**
 * The package.json of `name` as Node would find it from the host. Packages whose
 * `exports` hide "./package.json" are found along the same lookup paths Node uses
 * for `name` itself: never by listing node_modules.
 */
function findPackageJson(require: NodeRequire, name: string): string | undefined {
  try {
    return require.resolve(`${name}/package.json`);
  } catch {
    for (const folder of require.resolve.paths(name) ?? []) {
      const candidate = join(folder, name, "package.json");
      if (existsSync(candidate)) return candidate;
    }
    return undefined;
  }
}

function parseManifest(name: string, value: unknown): TargetPackageManifest | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const manifest = value as Record<string, unknown>;
  if (manifest.kind !== "target") return undefined;
  if (typeof manifest.type !== "string" || manifest.type === "") {
    throw new PluginError("S3NOTIFY_ERR_PLUGIN_MANIFEST", name, `${name}: the "s3notify" manifest in its package.json lacks a "type"`);
  }
  if (typeof manifest.apiVersion !== "number" || !Number.isInteger(manifest.apiVersion)) {
    throw new PluginError("S3NOTIFY_ERR_PLUGIN_MANIFEST", name, `${name}: the "s3notify" manifest in its package.json lacks an integer "apiVersion"`);
  }
  return { kind: "target", type: manifest.type, apiVersion: manifest.apiVersion };
}

function defaultExport(module: Record<string, unknown>): unknown {
  const first = module.default ?? module;
  // A CommonJS plugin compiled from ESM exposes `{ default: plugin }` as its module.exports.
  if (typeof first === "object" && first !== null && "default" in first && !(Symbol.for("s3notify.core.TargetPlugin") in first)) {
    return (first as Record<string, unknown>).default;
  }
  return first;
}

/**
 * Load the target plugins among the host's own `dependencies` and `optionalDependencies`:
 * those whose package.json carries `"s3notify": { "kind": "target", ... }`. Packages are
 * resolved from the host's folder (never from core's), loaded with `import()`, and checked:
 * the brand, the manifest type, the apiVersion, one plugin per type.
 */
export async function discoverTargetPlugins(hostDir: string): Promise<DiscoveredTargetPlugin[]> {
  const hostPackageJson = join(resolve(hostDir), "package.json");
  let host: PackageJson;
  try {
    host = readJson(hostPackageJson);
  } catch (error) {
    throw new PluginError("S3NOTIFY_ERR_PLUGIN_LOAD", hostPackageJson, `cannot read the host's package.json at ${hostPackageJson}`, { cause: error });
  }
  const require = createRequire(hostPackageJson);
  const names = [...new Set([...Object.keys(host.dependencies ?? {}), ...Object.keys(host.optionalDependencies ?? {})])].sort();
  const found: DiscoveredTargetPlugin[] = [];
  const registry = createTargetRegistry();
  for (const name of names) {
    const packageJsonPath = findPackageJson(require, name);
    if (packageJsonPath === undefined) continue; // not installed (an optional dependency may be absent)
    const manifest = parseManifest(name, readJson(packageJsonPath).s3notify);
    if (manifest === undefined) continue;
    if (!SUPPORTED_TARGET_API_VERSIONS.includes(manifest.apiVersion)) {
      throw new PluginError(
        "S3NOTIFY_ERR_PLUGIN_API_VERSION",
        name,
        `${name}: target plugin "${manifest.type}" declares apiVersion ${manifest.apiVersion}, ` +
          `but this @s3notify/core supports apiVersion ${SUPPORTED_TARGET_API_VERSIONS.join(", ")}`,
      );
    }
    let entry: string;
    try {
      entry = require.resolve(name);
    } catch (error) {
      throw new PluginError(
        "S3NOTIFY_ERR_PLUGIN_LOAD",
        name,
        `${name}: cannot resolve its entry from ${hostDir} (its package.json "exports" needs a "default" condition)`,
        { cause: error },
      );
    }
    let module: Record<string, unknown>;
    try {
      module = (await import(pathToFileURL(entry).href)) as Record<string, unknown>;
    } catch (error) {
      throw new PluginError("S3NOTIFY_ERR_PLUGIN_LOAD", name, `${name}: loading ${entry} failed: ${(error as Error)?.message ?? String(error)}`, {
        cause: error,
      });
    }
    const plugin = defaultExport(module);
    assertUsablePlugin(plugin, name);
    if (plugin.type !== manifest.type) {
      throw new PluginError(
        "S3NOTIFY_ERR_PLUGIN_TYPE_MISMATCH",
        name,
        `${name}: its package.json manifest says type "${manifest.type}" but its plugin says "${plugin.type}"`,
      );
    }
    // Two dependencies claiming one type (or one ARN type) are refused here, naming both.
    registry.register(plugin, name);
    found.push({ plugin, source: name });
  }
  return found;
}
