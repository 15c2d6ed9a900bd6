import { defineTargetPlugin } from "@s3notify/core";
import { AMQP_KEYS, parseAmqpConfig } from "./amqp-config.js";
import { AmqpTarget } from "./amqp-target.js";
import type { AmqpConfig } from "./types.js";

/** The `amqp` target plugin: MinIO's `notify_amqp`. */
export const amqpTargetPlugin = defineTargetPlugin<AmqpConfig>({
  type: "amqp",
  keys: AMQP_KEYS,
  parseConfig: parseAmqpConfig,
  create: (config, context) => new AmqpTarget(config, context),
});
