import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  createTargetRegistry,
  discoverTargetPlugins,
  dumpConfigJson,
  type Logger,
  loadNotifyConfig,
  type NotifyConfig,
  type TargetPlugin,
  type TargetRegistry,
  validateNotifyConfig,
} from "@s3notify/core";
import webhookTargetPlugin from "@s3notify/target-webhook";

/** Folder of the server's package.json, whose dependencies are the installed target plugins. */
export const SERVER_PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Registry of the plugins this host offers: explicit ones, discovered ones, and target-webhook always. */
export async function buildRegistry(options: { plugins?: readonly TargetPlugin[]; discoverFrom?: string | false; logger: Logger }): Promise<TargetRegistry> {
  const registry = createTargetRegistry();
  for (const plugin of options.plugins ?? []) registry.register(plugin, "explicit");
  if (options.discoverFrom !== false) {
    const hostDir = options.discoverFrom ?? SERVER_PACKAGE_DIR;
    let found: Awaited<ReturnType<typeof discoverTargetPlugins>> = [];
    try {
      found = await discoverTargetPlugins(hostDir);
    } catch (error) {
      // One broken target package must not take the server down: the others (and webhook) still work.
      options.logger.error("target plugin discovery failed; only target-webhook and explicit plugins are available", {
        hostDir,
        error: error instanceof Error ? error.message : String(error),
      });
    }
    for (const plugin of found) {
      if (registry.get(plugin.plugin.type)) continue;
      registry.register(plugin.plugin, plugin.source);
    }
  }
  if (!registry.get("webhook")) registry.register(webhookTargetPlugin, "@s3notify/target-webhook");
  return registry;
}

/** Config text is MinIO's JSON form when it starts with `{`, else KV lines. */
export function parseConfigText(text: string, registry: TargetRegistry, env: NodeJS.ProcessEnv): NotifyConfig {
  const trimmed = text.trim();
  const config = trimmed.startsWith("{") ? loadNotifyConfig({ registry, json: trimmed, env }) : loadNotifyConfig({ registry, kv: text, env });
  validateNotifyConfig(config, registry);
  return config;
}

export async function readConfigFile(path: string): Promise<string> {
  return readFile(path, "utf8");
}

/** The configuration as JSON with secrets redacted. */
export function redactedConfigJson(config: NotifyConfig, registry: TargetRegistry): string {
  return dumpConfigJson(config, registry);
}
