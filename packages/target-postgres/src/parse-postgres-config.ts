import { ConfigError, type ParseContext, type RawTargetConfig, SecretValue } from "@s3notify/core";
import { parseLibpqConnectionString } from "./libpq-connection-string.js";
import { isValidPostgresTableName } from "./postgres-table-name.js";
import type { PostgresConnectionSettings, PostgresFormat, PostgresSslMode, PostgresTargetConfig } from "./types.js";

/** Pool size used for `max_open_connections=0` (Go's "unlimited"): a send uses one connection at a time anyway. */
export const UNLIMITED_POOL_SIZE = 10;
/** Connect timeout when the connection string sets no `connect_timeout`. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

const SSL_MODES: readonly PostgresSslMode[] = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"];

/** Typed config from the raw `notify_postgres` KV settings; throws a ConfigError naming the key. */
export function parsePostgresConfig(raw: RawTargetConfig, context: ParseContext): PostgresTargetConfig {
  const fail = (key: string, reason: string, cause?: unknown): never => {
    throw new ConfigError({ subsystem: context.subsystem, targetId: context.targetId, key }, reason, { cause });
  };
  const value = (key: string) => (raw[key] ?? "").trim();

  // MinIO validates the format case-insensitively but compares it case-sensitively when sending,
  // so `Access` silently writes nothing there. We normalise it to lower case instead.
  const formatText = value("format").toLowerCase() || "namespace";
  if (formatText !== "namespace" && formatText !== "access") fail("format", "unrecognized format value");
  const format = formatText as PostgresFormat;

  const table = value("table");
  if (table === "") fail("table", "empty table name");
  if (!isValidPostgresTableName(table)) fail("table", "invalid PostgreSQL table");

  const maxOpenText = value("max_open_connections") || "2";
  if (!/^[+-]?\d+$/.test(maxOpenText)) fail("max_open_connections", `invalid integer "${maxOpenText}"`);
  const maxOpenConnections = Number.parseInt(maxOpenText, 10);
  if (maxOpenConnections < 0) fail("max_open_connections", "maxOpenConnections cannot be less than zero");
  if (!Number.isSafeInteger(maxOpenConnections)) fail("max_open_connections", "value out of range");

  const connectionString = value("connection_string");
  const connection = connectionString !== "" ? fromConnectionString(connectionString, fail) : fromDiscreteKeys(value, raw, fail);

  return {
    format,
    table,
    connection,
    poolSize: maxOpenConnections === 0 ? UNLIMITED_POOL_SIZE : maxOpenConnections,
  };
}

type Fail = (key: string, reason: string, cause?: unknown) => never;

function fromConnectionString(text: string, fail: Fail): PostgresConnectionSettings {
  let parameters: Map<string, string>;
  try {
    parameters = parseLibpqConnectionString(text);
  } catch (error) {
    return fail("connection_string", (error as Error).message);
  }
  const get = (name: string) => {
    const found = parameters.get(name);
    return found === undefined || found === "" ? undefined : found;
  };
  const port = parsePort(get("port") ?? "5432", "connection_string", fail);
  // lib/pq, which MinIO uses, defaults to sslmode=require when the string names none.
  const sslMode = parseSslMode(get("sslmode") ?? "require", "connection_string", fail);
  let connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS;
  const connectTimeout = get("connect_timeout");
  if (connectTimeout !== undefined) {
    if (!/^\d+$/.test(connectTimeout)) fail("connection_string", 'invalid integer value for parameter "connect_timeout"');
    const seconds = Number.parseInt(connectTimeout, 10);
    // libpq: 0 means wait forever; a minimum of 2 s applies otherwise.
    connectTimeoutMs = seconds === 0 ? 0 : Math.max(seconds, 2) * 1000;
  }
  const password = parameters.get("password");
  return {
    host: get("host") ?? get("hostaddr") ?? "localhost",
    port,
    user: get("user"),
    password: password === undefined ? undefined : new SecretValue(password),
    database: get("dbname"),
    sslMode,
    sslRootCert: get("sslrootcert"),
    sslCert: get("sslcert"),
    sslKey: get("sslkey"),
    connectTimeoutMs,
    applicationName: get("application_name") ?? get("fallback_application_name"),
  };
}

function fromDiscreteKeys(value: (key: string) => string, raw: RawTargetConfig, fail: Fail): PostgresConnectionSettings {
  const host = value("host");
  if (host === "") fail("connection_string", "connection_string or host must be set");
  const port = parsePort(value("port") || "5432", "port", fail);
  const user = value("username") || value("user");
  // Passwords are taken as they are: leading or trailing spaces may be part of one.
  const password = raw.password ?? "";
  const database = value("database");
  return {
    host,
    port,
    user: user === "" ? undefined : user,
    password: password === "" ? undefined : new SecretValue(password),
    database: database === "" ? undefined : database,
    // The discrete keys have no TLS setting: use connection_string for sslmode.
    sslMode: "disable",
    sslRootCert: undefined,
    sslCert: undefined,
    sslKey: undefined,
    connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS,
    applicationName: undefined,
  };
}

function parsePort(text: string, key: string, fail: Fail): number {
  if (!/^\d+$/.test(text)) fail(key, "invalid port");
  const port = Number.parseInt(text, 10);
  if (port < 1 || port > 65535) fail(key, "invalid port");
  return port;
}

function parseSslMode(text: string, key: string, fail: Fail): PostgresSslMode {
  if (!(SSL_MODES as readonly string[]).includes(text)) {
    fail(key, `unsupported sslmode "${text}"; use one of ${SSL_MODES.join(", ")}`);
  }
  return text as PostgresSslMode;
}
