import { natsTargetPlugin } from "./nats-plugin.js";

export { NATS_KEYS, parseNatsConfig } from "./nats-config.js";
export { NatsTarget, natsConnectionOptions } from "./nats-target.js";
export { StanTarget } from "./stan-target.js";
export type { NatsConfig } from "./types.js";
export { natsTargetPlugin };
export default natsTargetPlugin;
