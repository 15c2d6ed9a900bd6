import { defineTargetPlugin } from "@s3notify/core";
import type { WebhookConfig } from "./types.js";
import { parseWebhookConfig, WEBHOOK_KEYS } from "./webhook-config.js";
import { WebhookTarget } from "./webhook-target.js";

/** The `webhook` target plugin: MinIO's `notify_webhook`. */
export const webhookTargetPlugin = defineTargetPlugin<WebhookConfig>({
  type: "webhook",
  keys: WEBHOOK_KEYS,
  parseConfig: parseWebhookConfig,
  create: (config, context) => new WebhookTarget(config, context),
});
