import { mysqlPlugin } from "./mysql-plugin.js";

export type { MysqlConnectionSettings, MysqlFlavour, MysqlFormat, MysqlTargetConfig, MysqlTlsMode } from "./types.js";
export type { MysqlDsn } from "./mysql-dsn.js";
export { MYSQL_CONFIG_KEYS } from "./mysql-config-keys.js";
export { DEFAULT_CONNECT_TIMEOUT_MS, UNLIMITED_POOL_SIZE, parseMysqlConfig } from "./parse-mysql-config.js";
export { parseMysqlDsn } from "./mysql-dsn.js";
export { isValidMysqlTableName } from "./mysql-table-name.js";
export { createTableStatement } from "./mysql-statements.js";
export { MysqlTarget } from "./mysql-target.js";
export { SecretValue } from "./secret-value.js";
export { mysqlPlugin };
export default mysqlPlugin;
