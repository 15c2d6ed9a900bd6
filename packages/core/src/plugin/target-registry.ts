import type { RegisteredPlugin, TargetPlugin, TargetRegistry } from "../types.js";
import { isTargetPlugin, SUPPORTED_TARGET_API_VERSIONS } from "./define-target-plugin.js";
import { PluginError } from "./plugin-error.js";

const SLUG = /^[a-z][a-z0-9_-]*$/;

/** Throws unless `value` is a branded plugin with an apiVersion core serves and a usable type. */
export function assertUsablePlugin(value: unknown, source: string): asserts value is TargetPlugin {
  if (!isTargetPlugin(value)) {
    throw new PluginError(
      "S3NOTIFY_ERR_PLUGIN_INVALID",
      source,
      `${source}: not an s3notify target plugin (its default export must be made with defineTargetPlugin() from @s3notify/core)`,
    );
  }
  if (!SUPPORTED_TARGET_API_VERSIONS.includes(value.apiVersion)) {
    throw new PluginError(
      "S3NOTIFY_ERR_PLUGIN_API_VERSION",
      source,
      `${source}: target plugin "${String(value.type)}" declares apiVersion ${String(value.apiVersion)}, ` +
        `but this @s3notify/core supports apiVersion ${SUPPORTED_TARGET_API_VERSIONS.join(", ")}`,
    );
  }
  if (typeof value.type !== "string" || !SLUG.test(value.type)) {
    throw new PluginError("S3NOTIFY_ERR_PLUGIN_INVALID", source, `${source}: invalid target type ${JSON.stringify(value.type)} (expected a lower-case slug)`);
  }
  if (typeof value.arnType !== "string" || value.arnType === "" || value.arnType.includes(":")) {
    throw new PluginError("S3NOTIFY_ERR_PLUGIN_INVALID", source, `${source}: invalid ARN type ${JSON.stringify(value.arnType)}`);
  }
  if (!Array.isArray(value.keys) || typeof value.parseConfig !== "function" || typeof value.create !== "function") {
    throw new PluginError("S3NOTIFY_ERR_PLUGIN_INVALID", source, `${source}: target plugin "${value.type}" lacks keys, parseConfig or create`);
  }
}

/** A fresh, empty registry of target plugins. */
export function createTargetRegistry(): TargetRegistry {
  const byType = new Map<string, RegisteredPlugin>();
  const byArnType = new Map<string, RegisteredPlugin>();
  return {
    register(plugin: TargetPlugin, source = "explicit"): void {
      assertUsablePlugin(plugin, source);
      const sameType = byType.get(plugin.type);
      if (sameType) {
        if (sameType.plugin === plugin) return;
        throw new PluginError("S3NOTIFY_ERR_PLUGIN_DUPLICATE", source, `two target plugins claim type "${plugin.type}": ${sameType.source} and ${source}`);
      }
      const sameArnType = byArnType.get(plugin.arnType);
      if (sameArnType) {
        throw new PluginError(
          "S3NOTIFY_ERR_PLUGIN_DUPLICATE",
          source,
          `two target plugins claim ARN type "${plugin.arnType}": ${sameArnType.source} (type "${sameArnType.plugin.type}") and ${source} (type "${plugin.type}")`,
        );
      }
      const entry: RegisteredPlugin = Object.freeze({ plugin, source });
      byType.set(plugin.type, entry);
      byArnType.set(plugin.arnType, entry);
    },
    get: (type) => byType.get(type),
    getByArnType: (arnType) => byArnType.get(arnType),
    list: () => [...byType.values()],
  };
}
