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
import mysql from "mysql2/promise";
import { createTableStatement, probeTableStatement, runStatement } from "./mysql-statements.js";
import type { MysqlFlavour, MysqlTargetConfig } from "./types.js";

/** Rows per statement: 2 placeholders a row stays far below the 65535 of a prepared statement. */
const ROWS_PER_STATEMENT = 1000;
const IS_ACTIVE_TIMEOUT_MS = 3000;
/** Statements kept prepared per connection: multi-row statements differ by row count. */
const PREPARED_STATEMENTS_PER_CONNECTION = 256;

/** MySQL error numbers (besides SQLSTATE classes 22 and 23) that the same rows would hit again. */
const DATA_ERROR_NUMBERS = new Set([
  1048, // ER_BAD_NULL_ERROR
  1153, // ER_NET_PACKET_TOO_LARGE
  1366, // ER_TRUNCATED_WRONG_VALUE_FOR_FIELD (bad string value)
  1406, // ER_DATA_TOO_LONG
  3140, // ER_INVALID_JSON_TEXT
  4025, // ER_CONSTRAINT_FAILED (MariaDB's json_valid check)
]);
const NO_SUCH_TABLE = 1146;
const TABLE_EXISTS = 1050;

interface MysqlError {
  readonly errno?: number;
  readonly sqlState?: string;
  readonly fatal?: boolean;
}

/**
 * Writes bucket events to a MySQL or MariaDB table as MinIO does (facts §6.8): one
 * row per object (`namespace`) or one row per event (`access`). A batch is one transaction.
 */
export class MysqlTarget implements Target {
  readonly id: TargetId;
  readonly capabilities: TargetCapabilities = { maxBatchSize: 500, ordered: true };
  readonly #config: MysqlTargetConfig;
  readonly #logger: Logger;
  #pool: mysql.Pool | undefined;
  #tableReady = false;
  #flavour: MysqlFlavour | undefined;
  /** `tls=preferred` found a server without TLS: connect in plain text from now on (go-sql-driver's rule). */
  #tlsUnavailable = false;
  #opening: Promise<void> | undefined;
  #closed = false;

  constructor(config: MysqlTargetConfig, context: TargetContext) {
    this.#config = config;
    this.id = context.targetId;
    this.#logger = context.logger;
  }

  /** `host:port` (or the socket path) for messages, never the password. */
  get address(): string {
    const { host, port, socketPath } = this.#config.connection;
    if (socketPath !== undefined) return socketPath;
    return host?.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
  }

  /** The server family found on the first connect (`mariadb` gets the compatible namespace DDL). */
  get flavour(): MysqlFlavour | undefined {
    return this.#flavour;
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
    if (this.#closed) throw retryableError(`MySQL target ${this.id.id}:${this.id.type} is closed`);
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
      const query = this.#connect().then(async (connection) => {
        try {
          await connection.query("SELECT 1");
        } finally {
          connection.release();
        }
      });
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
    const connection = await this.#connect();
    let destroy = false;
    try {
      if (this.#flavour === undefined) {
        const [rows] = await connection.query<mysql.RowDataPacket[]>("SELECT VERSION() AS version");
        const version = String(rows[0]?.version ?? "");
        this.#flavour = /mariadb/i.test(version) ? "mariadb" : "mysql";
      }
      try {
        await connection.query(probeTableStatement(table));
      } catch (probeError) {
        if ((probeError as MysqlError).fatal) throw probeError;
        try {
          await connection.query(createTableStatement(table, format, this.#flavour));
          this.#logger.info(`created MySQL table ${table} (${format} format, ${this.#flavour} DDL)`, {
            target: `${this.id.id}:${this.id.type}`,
          });
        } catch (createError) {
          // Another target or process created it between the probe and the CREATE.
          if ((createError as MysqlError).errno !== TABLE_EXISTS) throw createError;
        }
      }
      this.#tableReady = true;
    } catch (error) {
      destroy = (error as MysqlError).fatal === true;
      throw retryableError(`MySQL at ${this.address}: cannot prepare table ${table}: ${this.#messageOf(error)}`, error);
    } finally {
      if (destroy) connection.destroy();
      else connection.release();
    }
  }

  async #runInTransaction(runs: readonly OperationRun[]): Promise<void> {
    const statements = runs.flatMap((run) =>
      chunk(run.operations, ROWS_PER_STATEMENT).map((operations) => runStatement(this.#config.table, { kind: run.kind, operations })),
    );
    const connection = await this.#connect();
    let destroy = false;
    try {
      // One statement is atomic on its own (autocommit): spare the BEGIN/COMMIT round trips.
      if (statements.length === 1) {
        const [statement] = statements as [(typeof statements)[number]];
        await connection.execute(statement.text, statement.values);
        return;
      }
      await connection.beginTransaction();
      try {
        for (const statement of statements) await connection.execute(statement.text, statement.values);
        await connection.commit();
      } catch (error) {
        if (!(error as MysqlError).fatal) await connection.rollback().catch(() => undefined);
        throw error;
      }
    } catch (error) {
      destroy = (error as MysqlError).fatal === true;
      throw error;
    } finally {
      if (destroy) connection.destroy();
      else connection.release();
    }
  }

  #classify(error: unknown): S3NotifyError {
    if (S3NotifyError.isInstance(error)) return error;
    const message = `MySQL at ${this.address}: ${this.#messageOf(error)}`;
    const { errno, sqlState } = (error ?? {}) as MysqlError;
    if (errno === NO_SUCH_TABLE) this.#tableReady = false;
    const isDataError =
      (errno !== undefined && DATA_ERROR_NUMBERS.has(errno)) || (sqlState !== undefined && (sqlState.startsWith("22") || sqlState.startsWith("23")));
    return isDataError ? permanentError(message, error) : retryableError(message, error);
  }

  async #connect(): Promise<mysql.PoolConnection> {
    try {
      return await this.#ensurePool().getConnection();
    } catch (error) {
      if (this.#config.connection.tls === "preferred" && !this.#tlsUnavailable && (error as { code?: string }).code === "HANDSHAKE_NO_SSL_SUPPORT") {
        this.#tlsUnavailable = true;
        const pool = this.#pool;
        this.#pool = undefined;
        pool?.end().catch(() => undefined);
        this.#logger.info(`MySQL at ${this.address} offers no TLS: tls=preferred connects in plain text`);
        return this.#connect();
      }
      throw retryableError(`MySQL at ${this.address}: cannot connect: ${this.#messageOf(error)}`, error);
    }
  }

  #ensurePool(): mysql.Pool {
    if (this.#pool) return this.#pool;
    const { connection, poolSize } = this.#config;
    const pool = mysql.createPool({
      ...(connection.socketPath !== undefined ? { socketPath: connection.socketPath } : { host: connection.host, port: connection.port }),
      user: connection.user,
      password: connection.password?.reveal(),
      database: connection.database,
      ssl: this.#sslOptions(),
      connectTimeout: connection.connectTimeoutMs,
      connectionLimit: poolSize,
      maxIdle: poolSize,
      idleTimeout: 30_000,
      waitForConnections: true,
      queueLimit: 0,
      enableKeepAlive: true,
      charset: "UTF8MB4_GENERAL_CI",
      timezone: "Z",
      maxPreparedStatements: PREPARED_STATEMENTS_PER_CONNECTION,
    });
    this.#pool = pool;
    return pool;
  }

  #sslOptions(): { rejectUnauthorized: boolean } | undefined {
    switch (this.#config.connection.tls) {
      case "true":
        return { rejectUnauthorized: true };
      case "skip-verify":
        return { rejectUnauthorized: false };
      case "preferred":
        // go-sql-driver: TLS without verification when the server offers it, else plain text.
        return this.#tlsUnavailable ? undefined : { rejectUnauthorized: false };
      default:
        return undefined;
    }
  }

  #messageOf(error: unknown): string {
    const message = error instanceof Error ? error.message : String(error);
    const password = this.#config.connection.password?.reveal();
    return password ? message.split(password).join("[redacted]") : message;
  }
}
