import { amqpTargetPlugin } from "./amqp-plugin.js";

export { AMQP_KEYS, parseAmqpConfig, redactUrl } from "./amqp-config.js";
export { AMQP_MAX_PAYLOAD_BYTES, AmqpTarget } from "./amqp-target.js";
export type { AmqpConfig } from "./types.js";
export { amqpTargetPlugin };
export default amqpTargetPlugin;
