import { postgresPlugin } from "./postgres-plugin.js";

export type {
  PostgresConnectionSettings,
  PostgresFormat,
  PostgresSslMode,
  PostgresTargetConfig,
} from "./types.js";
export { POSTGRES_CONFIG_KEYS } from "./postgres-config-keys.js";
export { DEFAULT_CONNECT_TIMEOUT_MS, UNLIMITED_POOL_SIZE, parsePostgresConfig } from "./parse-postgres-config.js";
export { parseLibpqConnectionString } from "./libpq-connection-string.js";
export { isValidPostgresTableName } from "./postgres-table-name.js";
export { PostgresTarget } from "./postgres-target.js";
export { SecretValue } from "./secret-value.js";
export { postgresPlugin };
export default postgresPlugin;
