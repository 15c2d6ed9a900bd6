import { defineTargetPlugin } from "@s3notify/core";
import { type NsqTargetConfig, parseNsqConfig } from "./nsq-config.js";
import { NSQ_KEYS } from "./nsq-keys.js";
import { NsqTarget } from "./nsq-target.js";

export type { NsqTargetConfig } from "./nsq-config.js";
export { parseNsqConfig } from "./nsq-config.js";
export { NSQ_KEYS } from "./nsq-keys.js";
export { NsqTarget } from "./nsq-target.js";

/** The NSQ target plugin (`notify_nsq`, ARN type `nsq`). */
const nsqTarget = defineTargetPlugin<NsqTargetConfig>({
  type: "nsq",
  keys: NSQ_KEYS,
  parseConfig: parseNsqConfig,
  create: (config, context) => new NsqTarget(context.targetId, config, context),
});

export default nsqTarget;
