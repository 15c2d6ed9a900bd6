import { webhookTargetPlugin } from "./webhook-plugin.js";

export type { WebhookConfig, WebhookTargetOptions } from "./types.js";
export { authorizationHeader, parseWebhookConfig, redactEndpoint, WEBHOOK_KEYS } from "./webhook-config.js";
export { WEBHOOK_MAX_BATCH, WEBHOOK_PERMANENT_STATUSES, WebhookTarget } from "./webhook-target.js";
export { webhookTargetPlugin };
export default webhookTargetPlugin;
