import { defineTargetPlugin, type TargetPlugin } from "@s3notify/core";
import { MYSQL_CONFIG_KEYS } from "./mysql-config-keys.js";
import { MysqlTarget } from "./mysql-target.js";
import { parseMysqlConfig } from "./parse-mysql-config.js";
import type { MysqlTargetConfig } from "./types.js";

/** The `mysql` target plugin (MinIO's `notify_mysql`, ARN type `mysql`); works with MySQL and MariaDB. */
export const mysqlPlugin: TargetPlugin<MysqlTargetConfig> = defineTargetPlugin<MysqlTargetConfig>({
  type: "mysql",
  arnType: "mysql",
  keys: MYSQL_CONFIG_KEYS,
  parseConfig: parseMysqlConfig,
  create: (config, context) => new MysqlTarget(config, context),
});
