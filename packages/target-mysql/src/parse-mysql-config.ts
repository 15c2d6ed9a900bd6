import { ConfigError, type ParseContext, type RawTargetConfig, SecretValue } from "@s3notify/core";
import { parseGoDuration } from "./go-duration.js";
import { parseMysqlDsn, splitHostPort } from "./mysql-dsn.js";
import { isValidMysqlTableName } from "./mysql-table-name.js";
import type { MysqlConnectionSettings, MysqlFormat, MysqlTargetConfig, MysqlTlsMode } from "./types.js";

/** Pool size used for `max_open_connections=0` (Go's "unlimited"): a send uses one connection at a time anyway. */
export const UNLIMITED_POOL_SIZE = 10;
/** Connect timeout when the DSN sets no `timeout`. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

const TLS_MODES: readonly MysqlTlsMode[] = ["false", "true", "skip-verify", "preferred"];

/** Typed config from the raw `notify_mysql` KV settings; throws a ConfigError naming the key. */
export function parseMysqlConfig(raw: RawTargetConfig, context: ParseContext): MysqlTargetConfig {
  const fail: Fail = (key, reason, cause) => {
    throw new ConfigError({ subsystem: context.subsystem, targetId: context.targetId, key }, reason, { cause });
  };
  const value = (key: string) => (raw[key] ?? "").trim();

  // MinIO validates the format case-insensitively but compares it case-sensitively when sending,
  // so `Access` silently writes nothing there. We normalise it to lower case instead.
  const formatText = value("format").toLowerCase() || "namespace";
  if (formatText !== "namespace" && formatText !== "access") fail("format", "unrecognized format");
  const format = formatText as MysqlFormat;

  const table = value("table");
  if (table === "") fail("table", "table unspecified");
  if (!isValidMysqlTableName(table)) fail("table", "invalid MySQL table name: use [A-Za-z0-9_$] or a `backquoted` name");

  const maxOpenText = value("max_open_connections") || "2";
  if (!/^[+-]?\d+$/.test(maxOpenText)) fail("max_open_connections", `invalid integer "${maxOpenText}"`);
  const maxOpenConnections = Number.parseInt(maxOpenText, 10);
  if (maxOpenConnections < 0) fail("max_open_connections", "maxOpenConnections cannot be less than zero");
  if (!Number.isSafeInteger(maxOpenConnections)) fail("max_open_connections", "value out of range");

  const dsn = value("dsn_string");
  const connection = dsn !== "" ? fromDsn(dsn, fail) : fromDiscreteKeys(value, raw, fail);

  return {
    format,
    table,
    connection,
    poolSize: maxOpenConnections === 0 ? UNLIMITED_POOL_SIZE : maxOpenConnections,
  };
}

type Fail = (key: string, reason: string, cause?: unknown) => never;

function fromDsn(text: string, fail: Fail): MysqlConnectionSettings {
  let dsn: ReturnType<typeof parseMysqlDsn>;
  try {
    dsn = parseMysqlDsn(text);
  } catch (error) {
    return fail("dsn_string", (error as Error).message);
  }
  if (dsn.database === "") fail("dsn_string", "invalid DSN: no database name (the table name cannot name one)");

  let host: string | undefined;
  let port = 3306;
  let socketPath: string | undefined;
  if (dsn.net === "tcp" || dsn.net === "tcp4" || dsn.net === "tcp6") {
    const split = splitHostPort(dsn.address === "" ? "127.0.0.1:3306" : dsn.address);
    host = split.host === "" ? "127.0.0.1" : split.host;
    if (split.port !== undefined) port = parsePort(split.port, "dsn_string", fail);
  } else if (dsn.net === "unix") {
    socketPath = dsn.address === "" ? "/tmp/mysql.sock" : dsn.address;
  } else {
    fail("dsn_string", `invalid DSN: unsupported network "${dsn.net}" (use tcp or unix)`);
  }

  const tlsText = dsn.params.get("tls") ?? "false";
  const tlsNormalised = tlsText.toLowerCase() === "skip-verify" || tlsText.toLowerCase() === "preferred" ? tlsText.toLowerCase() : normaliseBool(tlsText);
  if (!(TLS_MODES as readonly string[]).includes(tlsNormalised)) {
    fail("dsn_string", "invalid DSN: tls must be true, false, skip-verify or preferred (named TLS configs exist only in Go)");
  }

  let connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS;
  const timeout = dsn.params.get("timeout");
  if (timeout !== undefined) {
    const parsed = parseGoDuration(timeout);
    if (parsed === undefined || parsed < 0) fail("dsn_string", "invalid DSN: timeout is not a duration");
    connectTimeoutMs = Math.round(parsed as number);
  }

  return {
    host,
    port,
    socketPath,
    user: dsn.user,
    password: dsn.password === "" ? undefined : new SecretValue(dsn.password),
    database: dsn.database,
    tls: tlsNormalised as MysqlTlsMode,
    connectTimeoutMs,
  };
}

function fromDiscreteKeys(value: (key: string) => string, raw: RawTargetConfig, fail: Fail): MysqlConnectionSettings {
  const host = value("host");
  if (host === "") fail("dsn_string", "dsn_string or host must be set");
  const database = value("database");
  if (database === "") fail("database", "database unspecified");
  // Passwords are taken as they are: leading or trailing spaces may be part of one.
  const password = raw.password ?? "";
  return {
    host,
    port: parsePort(value("port") || "3306", "port", fail),
    socketPath: undefined,
    user: value("username"),
    password: password === "" ? undefined : new SecretValue(password),
    database,
    tls: "false",
    connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS,
  };
}

/** Go's strconv.ParseBool, which the driver uses for `tls`. */
function normaliseBool(text: string): string {
  if (["1", "t", "T", "true", "TRUE", "True"].includes(text)) return "true";
  if (["0", "f", "F", "false", "FALSE", "False"].includes(text)) return "false";
  return text;
}

function parsePort(text: string, key: string, fail: Fail): number {
  if (!/^\d+$/.test(text)) fail(key, "invalid port");
  const port = Number.parseInt(text, 10);
  if (port < 1 || port > 65535) fail(key, "invalid port");
  return port;
}
