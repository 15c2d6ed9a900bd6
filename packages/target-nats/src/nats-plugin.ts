import { defineTargetPlugin } from "@s3notify/core";
import { NATS_KEYS, parseNatsConfig } from "./nats-config.js";
import { NatsTarget } from "./nats-target.js";
import { StanTarget } from "./stan-target.js";
import type { NatsConfig } from "./types.js";

/** The `nats` target plugin: MinIO's `notify_nats` (core NATS, JetStream, or the deprecated NATS Streaming). */
export const natsTargetPlugin = defineTargetPlugin<NatsConfig>({
  type: "nats",
  keys: NATS_KEYS,
  parseConfig: parseNatsConfig,
  // MinIO: streaming wins over jetstream when both are on.
  create: (config, context) => (config.streaming ? new StanTarget(config, context) : new NatsTarget(config, context)),
});
