import { defineTargetPlugin, type TargetPlugin } from "@s3notify/core";
import { parsePostgresConfig } from "./parse-postgres-config.js";
import { POSTGRES_CONFIG_KEYS } from "./postgres-config-keys.js";
import { PostgresTarget } from "./postgres-target.js";
import type { PostgresTargetConfig } from "./types.js";

/** The `postgres` target plugin (MinIO's `notify_postgres`, ARN type `postgresql`). */
export const postgresPlugin: TargetPlugin<PostgresTargetConfig> = defineTargetPlugin<PostgresTargetConfig>({
  type: "postgres",
  arnType: "postgresql",
  keys: POSTGRES_CONFIG_KEYS,
  parseConfig: parsePostgresConfig,
  create: (config, context) => new PostgresTarget(config, context),
});
