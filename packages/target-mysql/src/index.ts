import { mysqlPlugin } from "./mysql-plugin.js";

export { MYSQL_CONFIG_KEYS } from "./mysql-config-keys.js";
export type { MysqlDsn } from "./mysql-dsn.js";
export { parseMysqlDsn } from "./mysql-dsn.js";
export { createTableStatement } from "./mysql-statements.js";
export { isValidMysqlTableName } from "./mysql-table-name.js";
export { MysqlTarget } from "./mysql-target.js";
export { DEFAULT_CONNECT_TIMEOUT_MS, parseMysqlConfig, UNLIMITED_POOL_SIZE } from "./parse-mysql-config.js";
export type { MysqlConnectionSettings, MysqlFlavour, MysqlFormat, MysqlTargetConfig, MysqlTlsMode } from "./types.js";
export { mysqlPlugin };
export default mysqlPlugin;
