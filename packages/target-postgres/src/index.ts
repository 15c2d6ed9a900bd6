import { postgresPlugin } from "./postgres-plugin.js";

export { parseLibpqConnectionString } from "./libpq-connection-string.js";
export { DEFAULT_CONNECT_TIMEOUT_MS, parsePostgresConfig, UNLIMITED_POOL_SIZE } from "./parse-postgres-config.js";
export { POSTGRES_CONFIG_KEYS } from "./postgres-config-keys.js";
export { isValidPostgresTableName } from "./postgres-table-name.js";
export { PostgresTarget } from "./postgres-target.js";
export type {
  PostgresConnectionSettings,
  PostgresFormat,
  PostgresSslMode,
  PostgresTargetConfig,
} from "./types.js";
export { postgresPlugin };
export default postgresPlugin;
