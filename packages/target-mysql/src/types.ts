import type { SecretValue } from "@s3notify/core";

/** `namespace`: one row per object, kept up to date. `access`: one row per event. */
export type MysqlFormat = "namespace" | "access";

/** The DSN `tls` parameter: `true` verifies the server, `skip-verify` encrypts without checking. */
export type MysqlTlsMode = "false" | "true" | "skip-verify" | "preferred";

export interface MysqlConnectionSettings {
  /** TCP host, or undefined with `socketPath`. */
  readonly host: string | undefined;
  readonly port: number;
  /** Unix socket path (`unix(/path)` in the DSN). */
  readonly socketPath: string | undefined;
  readonly user: string;
  readonly password: SecretValue | undefined;
  readonly database: string;
  readonly tls: MysqlTlsMode;
  readonly connectTimeoutMs: number;
}

/** The parsed `notify_mysql` settings of one target. */
export interface MysqlTargetConfig {
  readonly format: MysqlFormat;
  /** Validated identifier, put verbatim into SQL. */
  readonly table: string;
  readonly connection: MysqlConnectionSettings;
  /** The pool size: `max_open_connections`, or the default for 0 (unlimited). */
  readonly poolSize: number;
}

/** The server family, read from `SELECT VERSION()`: it decides the namespace DDL. */
export type MysqlFlavour = "mysql" | "mariadb";
