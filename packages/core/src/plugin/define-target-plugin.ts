import { TARGET_PLUGIN_BRAND, type TargetPlugin, type TargetPluginDefinition } from "../types.js";

/** The contract version this core serves. A plugin declaring another is refused at registration. */
export const TARGET_API_VERSION = 1;
/** The range of plugin apiVersions this core accepts. */
export const SUPPORTED_TARGET_API_VERSIONS: readonly number[] = [1];

/** Make a target package's default export: a frozen, branded plugin object. */
export function defineTargetPlugin<Config>(definition: TargetPluginDefinition<Config>): TargetPlugin<Config> {
  const plugin: TargetPlugin<Config> = {
    [TARGET_PLUGIN_BRAND]: true,
    apiVersion: definition.apiVersion ?? TARGET_API_VERSION,
    type: definition.type,
    arnType: definition.arnType ?? definition.type,
    keys: Object.freeze([...definition.keys]),
    parseConfig: definition.parseConfig,
    create: definition.create,
    ...(definition.fromLegacyJson ? { fromLegacyJson: definition.fromLegacyJson } : {}),
  };
  return Object.freeze(plugin);
}

/** Whether a value is a target plugin (brand check, works across copies of core). */
export function isTargetPlugin(value: unknown): value is TargetPlugin {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[TARGET_PLUGIN_BRAND] === true;
}
