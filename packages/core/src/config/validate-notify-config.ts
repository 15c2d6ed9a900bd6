import { isAbsolute } from "node:path";
import { ConfigError } from "../errors/config-error.js";
import type { NotifyConfig, TargetRegistry, ValidatedTarget } from "../types.js";
import { allKeysFor, subsystemFor } from "./common-keys.js";
import { missingPluginHint } from "./minio-target-types.js";
import { isConfigError, throwCollected } from "./notify-config-error.js";
import { redactEmbeddedSecrets } from "./redact.js";
import { parseUnsignedInt } from "./values.js";

/** MinIO's store limit when `queue_limit` is 0 (facts §7). */
export const DEFAULT_QUEUE_LIMIT = 100_000;

/**
 * Check every enabled target and parse it with its plugin: `queue_dir` absolute, `queue_limit`
 * a non-negative integer, required keys non-empty (MinIO's messages), then `plugin.parseConfig`.
 * Every problem of every target is collected and thrown as one NotifyConfigError
 * (`S3NOTIFY_ERR_CONFIG`, each error in `.errors`). Disabled targets are skipped.
 */
export function validateNotifyConfig(config: NotifyConfig, registry: TargetRegistry): ValidatedTarget[] {
  const validated: ValidatedTarget[] = [];
  const errors: ConfigError[] = [];
  for (const settings of config.targets) {
    if (!settings.enabled) continue;
    const registered = registry.get(settings.type);
    const subsystem = `notify_${settings.type}`;
    if (registered === undefined) {
      errors.push(new ConfigError({ subsystem, targetId: settings.id }, missingPluginHint(settings.type)));
      continue;
    }
    const plugin = registered.plugin;
    const location = { subsystem: subsystemFor(plugin), targetId: settings.id };
    const targetErrors: ConfigError[] = [];
    const values: Record<string, string> = {};
    for (const spec of allKeysFor(plugin)) values[spec.name] = settings.values[spec.name] ?? spec.default;

    const queueDir = values.queue_dir ?? "";
    if (queueDir !== "" && !isAbsolute(queueDir)) {
      targetErrors.push(new ConfigError({ ...location, key: "queue_dir" }, "queueDir path should be absolute"));
    }
    let queueLimit = DEFAULT_QUEUE_LIMIT;
    try {
      const limit = parseUnsignedInt(values.queue_limit ?? "0", { ...location, key: "queue_limit" });
      if (limit > 0) queueLimit = limit;
    } catch (error) {
      targetErrors.push(error as ConfigError);
    }
    for (const spec of allKeysFor(plugin)) {
      if (spec.required && (values[spec.name] ?? "") === "") {
        targetErrors.push(
          new ConfigError(
            { ...location, key: spec.name },
            `'${spec.name}' is not optional for '${location.subsystem}' sub-system, please check '${location.subsystem}' documentation`,
          ),
        );
      }
    }
    if (targetErrors.length > 0) {
      errors.push(...targetErrors);
      continue;
    }
    try {
      const parsed = plugin.parseConfig(Object.freeze({ ...values }), location);
      validated.push(Object.freeze({ settings: { ...settings, values: Object.freeze(values) }, plugin, config: parsed, queueDir, queueLimit }));
    } catch (error) {
      if (isConfigError(error)) {
        errors.push(error);
      } else {
        // A plugin that threw something else: keep it as the cause, never echo values (they may be secret).
        const reason = error instanceof Error ? redactEmbeddedSecrets(error.message) : String(error);
        errors.push(new ConfigError(location, reason, { cause: error }));
      }
    }
  }
  throwCollected(errors);
  return validated;
}
