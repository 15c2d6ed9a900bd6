import { defineTargetPlugin } from "@s3notify/core";
import { parseRedisConfig, REDIS_KEYS } from "./redis-config.js";
import { RedisTarget } from "./redis-target.js";
import type { RedisTargetConfig } from "./types.js";

/** The `redis` target plugin: MinIO's `notify_redis`. */
const redisTarget = defineTargetPlugin<RedisTargetConfig>({
  type: "redis",
  keys: REDIS_KEYS,
  parseConfig: parseRedisConfig,
  create: (config, context) => new RedisTarget(config, context),
});

export default redisTarget;
export { parseRedisConfig, REDIS_KEYS } from "./redis-config.js";
export type { RedisCommand, RedisTargetOptions } from "./redis-target.js";
export { accessValue, RedisTarget, redisCommands, VALUES_PER_COMMAND } from "./redis-target.js";
export type { CompatShape, RedisFormat, RedisTargetConfig } from "./types.js";
export { redisTarget };
