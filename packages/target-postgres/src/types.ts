import type { SecretValue } from "@s3notify/core";

/** `namespace`: one row per object, kept up to date. `access`: one row per event. */
export type PostgresFormat = "namespace" | "access";

/** libpq `sslmode` values this target understands. */
export type PostgresSslMode = "disable" | "allow" | "prefer" | "require" | "verify-ca" | "verify-full";

export interface PostgresConnectionSettings {
  readonly host: string;
  readonly port: number;
  /** Undefined: node-postgres's default (`$PGUSER`, then `$USER`). */
  readonly user: string | undefined;
  readonly password: SecretValue | undefined;
  /** Undefined: the user name (libpq's default). */
  readonly database: string | undefined;
  readonly sslMode: PostgresSslMode;
  /** Paths of PEM files (`sslrootcert`, `sslcert`, `sslkey`), read when the target connects. */
  readonly sslRootCert: string | undefined;
  readonly sslCert: string | undefined;
  readonly sslKey: string | undefined;
  readonly connectTimeoutMs: number;
  readonly applicationName: string | undefined;
}

/** The parsed `notify_postgres` settings of one target. */
export interface PostgresTargetConfig {
  readonly format: PostgresFormat;
  /** Validated identifier, put verbatim into SQL. */
  readonly table: string;
  readonly connection: PostgresConnectionSettings;
  /** The pool size: `max_open_connections`, or the default for 0 (unlimited). */
  readonly poolSize: number;
}
