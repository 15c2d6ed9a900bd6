import { readFileSync } from "node:fs";
import type { ConnectionOptions } from "node:tls";
import {
  chunk,
  type EventRecord,
  type Logger,
  type OperationRun,
  permanentError,
  retryableError,
  S3NotifyError,
  type Target,
  type TargetCapabilities,
  type TargetContext,
  type TargetId,
  writeRowBatch,
} from "@s3notify/core";
import pg from "pg";
import { createTableStatement, probeTableStatement, runStatement } from "./postgres-statements.js";
import type { PostgresTargetConfig } from "./types.js";

/** Rows per statement: 2 parameters a row stays far below PostgreSQL's 65535 bind parameters. */
const ROWS_PER_STATEMENT = 1000;
const IS_ACTIVE_TIMEOUT_MS = 3000;

/**
 * Writes bucket events to a PostgreSQL table as MinIO does (facts §6.7): one row per
 * object (`namespace`) or one row per event (`access`). A batch is one transaction.
 */
export class PostgresTarget implements Target {
  readonly id: TargetId;
  readonly capabilities: TargetCapabilities = { maxBatchSize: 500, ordered: true };
  readonly #config: PostgresTargetConfig;
  readonly #logger: Logger;
  #pool: pg.Pool | undefined;
  #tableReady = false;
  #opening: Promise<void> | undefined;
  #closed = false;

  constructor(config: PostgresTargetConfig, context: TargetContext) {
    this.#config = config;
    this.id = context.targetId;
    this.#logger = context.logger;
  }

  /** `host:port` for messages (never the password). */
  get address(): string {
    const { host, port } = this.#config.connection;
    return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
  }

  async open(): Promise<void> {
    this.#closed = false;
    if (this.#tableReady) return;
    this.#opening ??= this.#createTableIfMissing().finally(() => {
      this.#opening = undefined;
    });
    return this.#opening;
  }

  async send(batch: readonly EventRecord[]): Promise<void> {
    if (batch.length === 0) return;
    if (this.#closed) throw retryableError(`PostgreSQL target ${this.id.id}:${this.id.type} is closed`);
    // Like MinIO, keep trying to create the table until it once succeeds.
    if (!this.#tableReady) await this.open();

    await writeRowBatch(batch, {
      format: this.#config.format,
      runInTransaction: (runs) => this.#runInTransaction(runs),
      classify: (error) => this.#classify(error),
    });
  }

  async isActive(): Promise<boolean> {
    if (this.#closed) return false;
    let timer: NodeJS.Timeout | undefined;
    try {
      const query = this.#ensurePool().query("SELECT 1");
      query.catch(() => undefined);
      const timeout = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), IS_ACTIVE_TIMEOUT_MS);
      });
      return await Promise.race([query.then(() => true), timeout]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#tableReady = false;
    const pool = this.#pool;
    this.#pool = undefined;
    if (pool) await pool.end().catch(() => undefined);
  }

  async #createTableIfMissing(): Promise<void> {
    const { table, format } = this.#config;
    const client = await this.#connect();
    let destroy = false;
    try {
      try {
        await client.query(probeTableStatement(table));
      } catch (probeError) {
        if (!hasSqlState(probeError)) throw probeError;
        try {
          await client.query(createTableStatement(table, format));
          this.#logger.info(`created PostgreSQL table ${table} (${format} format)`, { target: `${this.id.id}:${this.id.type}` });
        } catch (createError) {
          // Another target or process created it between the probe and the CREATE.
          if (!isDuplicateTable(createError)) throw createError;
        }
      }
      this.#tableReady = true;
    } catch (error) {
      destroy = !hasSqlState(error);
      throw retryableError(`PostgreSQL at ${this.address}: cannot prepare table ${table}: ${this.#messageOf(error)}`, error);
    } finally {
      client.release(destroy);
    }
  }

  async #runInTransaction(runs: readonly OperationRun[]): Promise<void> {
    const statements = runs.flatMap((run) =>
      chunk(run.operations, ROWS_PER_STATEMENT).map((operations) => runStatement(this.#config.table, { kind: run.kind, operations })),
    );
    const client = await this.#connect();
    let destroy = false;
    try {
      // One statement is atomic on its own: spare the BEGIN/COMMIT round trips.
      if (statements.length === 1) {
        const [statement] = statements as [(typeof statements)[number]];
        await client.query(statement.text, statement.values);
        return;
      }
      await client.query("BEGIN");
      try {
        for (const statement of statements) await client.query(statement.text, statement.values);
        await client.query("COMMIT");
      } catch (error) {
        if (hasSqlState(error)) await client.query("ROLLBACK").catch(() => undefined);
        throw error;
      }
    } catch (error) {
      destroy = !hasSqlState(error);
      throw error;
    } finally {
      client.release(destroy);
    }
  }

  #classify(error: unknown): S3NotifyError {
    if (S3NotifyError.isInstance(error)) return error;
    const message = `PostgreSQL at ${this.address}: ${this.#messageOf(error)}`;
    if (isUndefinedTable(error)) this.#tableReady = false;
    return isDataError(error) ? permanentError(message, error) : retryableError(message, error);
  }

  async #connect(): Promise<pg.PoolClient> {
    try {
      return await this.#ensurePool().connect();
    } catch (error) {
      throw retryableError(`PostgreSQL at ${this.address}: cannot connect: ${this.#messageOf(error)}`, error);
    }
  }

  #ensurePool(): pg.Pool {
    if (this.#pool) return this.#pool;
    const { connection, poolSize } = this.#config;
    const pool = new pg.Pool({
      host: connection.host,
      port: connection.port,
      user: connection.user,
      password: connection.password?.reveal(),
      database: connection.database,
      ssl: this.#sslOptions(),
      application_name: connection.applicationName,
      connectionTimeoutMillis: connection.connectTimeoutMs,
      max: poolSize,
      idleTimeoutMillis: 30_000,
      allowExitOnIdle: true,
      keepAlive: true,
    });
    // An idle connection the server drops must not crash the host: the pool discards it.
    pool.on("error", (error) => {
      this.#logger.warn(`PostgreSQL at ${this.address}: idle connection lost: ${this.#messageOf(error)}`);
    });
    this.#pool = pool;
    return pool;
  }

  #sslOptions(): false | ConnectionOptions {
    const { sslMode, sslRootCert, sslCert, sslKey } = this.#config.connection;
    // node-postgres cannot fall back from TLS to plain text, so allow/prefer connect without TLS.
    if (sslMode === "disable" || sslMode === "allow" || sslMode === "prefer") return false;
    const readPem = (path: string | undefined) => {
      if (path === undefined) return undefined;
      try {
        return readFileSync(path, "utf8");
      } catch (error) {
        throw retryableError(`PostgreSQL at ${this.address}: cannot read ${path}: ${(error as Error).message}`, error);
      }
    };
    const options: ConnectionOptions = { cert: readPem(sslCert), key: readPem(sslKey) };
    const ca = readPem(sslRootCert);
    if (sslMode === "require") {
      // libpq: with a root certificate, require behaves like verify-ca.
      if (ca === undefined) return { ...options, rejectUnauthorized: false };
      return { ...options, ca, rejectUnauthorized: true, checkServerIdentity: () => undefined };
    }
    if (sslMode === "verify-ca") return { ...options, ca, rejectUnauthorized: true, checkServerIdentity: () => undefined };
    return { ...options, ca, rejectUnauthorized: true };
  }

  #messageOf(error: unknown): string {
    const message = error instanceof Error ? error.message : String(error);
    const password = this.#config.connection.password?.reveal();
    return password ? message.split(password).join("[redacted]") : message;
  }
}

function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** A server-side SQL error (the connection is still usable), not a socket failure. */
function hasSqlState(error: unknown): boolean {
  const state = sqlState(error);
  return state !== undefined && !state.startsWith("08") && !state.startsWith("57");
}

/** Data exceptions, integrity violations and program limits: the same rows would fail again. */
function isDataError(error: unknown): boolean {
  const state = sqlState(error);
  return state !== undefined && (state.startsWith("22") || state.startsWith("23") || state.startsWith("54"));
}

function isUndefinedTable(error: unknown): boolean {
  return sqlState(error) === "42P01";
}

function isDuplicateTable(error: unknown): boolean {
  // 23505: two concurrent CREATE TABLEs collide on pg_type's unique index.
  const state = sqlState(error);
  return state === "42P07" || state === "23505";
}
