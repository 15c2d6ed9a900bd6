import {
  createNotifier,
  createTargetRegistry,
  discoverTargetPlugins,
  type Environment,
  type Logger,
  loadNotifyConfig,
  parseNotificationXml,
  type TargetStats,
  validateNotifyConfig,
} from "@s3notify/core";
import { simulatedUploads, UPLOADS_BUCKET } from "./simulated-uploads.js";
import { UPLOAD_RULE_EVENTS, UPLOAD_RULE_SUFFIX, uploadsNotificationXml } from "./uploads-notification-xml.js";

export interface HostOptions {
  /** The folder of the host's package.json: its dependencies that are s3notify target packages are loaded. */
  readonly hostDir: string;
  /** Where the MINIO_NOTIFY_* variables come from. */
  readonly env: Environment;
  /** One line of the host's report. */
  readonly out: (line: string) => void;
  readonly logger?: Logger;
  /** How long to wait for delivery before closing; 10 s by default. */
  readonly drainTimeoutMs?: number;
}

/** Exit status when not every event was delivered before the drain timeout. */
export const EXIT_UNDELIVERED = 3;

function formatStats(stats: TargetStats): string {
  const counters = `sent=${stats.sent} failed=${stats.failed} queued=${stats.queued} retried=${stats.retried} dropped=${stats.dropped} deadLettered=${stats.deadLettered}`;
  return `  ${stats.arn} active=${stats.active} ${counters}${stats.lastError ? ` lastError=${JSON.stringify(stats.lastError)}` : ""}`;
}

/**
 * The host: finds its target plugins, reads the notify config from the environment, sets the bucket rule from
 * NotificationConfiguration XML, publishes what the app stores, prints the counters and closes. Returns the exit
 * status; throws (a ConfigError, a PluginError, an S3Error) when it cannot start.
 */
export async function runHost(options: HostOptions): Promise<number> {
  const { out } = options;
  // The config loader needs to know every plugin's keys: the same plugins createNotifier discovers below.
  const discovered = await discoverTargetPlugins(options.hostDir);
  const registry = createTargetRegistry();
  for (const { plugin, source } of discovered) registry.register(plugin, source);
  out(`target plugins: ${discovered.map(({ plugin, source }) => `${plugin.type} (${source})`).join(", ") || "(none)"}`);

  const config = loadNotifyConfig({ registry, env: options.env });
  // Every bad key of every target, before anything starts.
  validateNotifyConfig(config, registry);

  const notifier = await createNotifier({ config, discoverFrom: options.hostDir, ...(options.logger ? { logger: options.logger } : {}) });
  let status = 0;
  try {
    const arns = notifier.arns();
    out(`SQS ARNs: ${arns.join(" ")}`);
    if (arns.length === 0) {
      out("no target is enabled: set e.g. MINIO_NOTIFY_JSONL_ENABLE_1=on MINIO_NOTIFY_JSONL_PATH_1=/tmp/s3notify/events.jsonl");
    }

    // As a PutBucketNotification request: parsed and validated against the live targets (S3 error codes).
    const rules = parseNotificationXml(uploadsNotificationXml(arns), notifier.validationContext());
    notifier.setBucketRules(UPLOADS_BUCKET, rules);
    out(`bucket ${UPLOADS_BUCKET}: ${rules.queues.length} rule(s), ${UPLOAD_RULE_EVENTS.join(" ")} with suffix ${UPLOAD_RULE_SUFFIX}`);

    for (const event of simulatedUploads()) {
      const result = await notifier.publish(event);
      out(`${event.eventName} ${event.bucket}/${event.key ?? ""} → ${result.accepted.join(" ") || "(no rule matches)"}`);
      for (const refusal of result.refused) out(`  refused by ${refusal.targetId}: ${refusal.reason}`);
    }

    const timeoutMs = options.drainTimeoutMs ?? 10_000;
    const drained = await notifier.drain(timeoutMs);
    out("stats:");
    for (const stats of notifier.stats()) out(formatStats(stats));
    if (!drained) {
      out(`not every event was delivered within ${timeoutMs} ms: targets with queue_dir deliver the rest after the next start, the others lose it`);
      status = EXIT_UNDELIVERED;
    }
  } finally {
    await notifier.close();
  }
  return status;
}
