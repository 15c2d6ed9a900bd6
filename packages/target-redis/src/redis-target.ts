import { isIP } from "node:net";
import type { ConnectionOptions } from "node:tls";
import {
  type EventRecord,
  goJson,
  type Logger,
  objectPath,
  permanentError,
  recordsJson,
  retryableError,
  type Target,
  type TargetCapabilities,
  type TargetContext,
  type TargetId,
} from "@s3notify/core";
import { createClient, ErrorReply } from "redis";
import type { RedisTargetConfig } from "./types.js";

/** What a host that builds the target itself can add; no config key holds these. */
export interface RedisTargetOptions {
  /** Extra TLS options when `tls=on`, e.g. `{ ca }` for a private CA (Node's CA store is used otherwise). */
  readonly tls?: ConnectionOptions;
}

// biome-ignore lint/complexity/noBannedTypes: the client's own defaults for modules, functions and scripts, with RESP2.
type RedisClient = ReturnType<typeof createClient<{}, {}, {}, 2>>;

/** How long one command or transaction may take before the send counts as failed (MinIO: 5 s per operation elsewhere). */
const COMMAND_TIMEOUT_MS = 5_000;
const CONNECT_TIMEOUT_MS = 5_000;

/** The value MinIO RPUSHes for the access format (facts §2.1, §6.9). */
export function accessValue(record: EventRecord, compatShape: RedisTargetConfig["compatShape"]): string {
  if (compatShape === "legacy") return goJson([record.eventTime, { Records: [record] }]);
  return goJson([{ Event: [record], EventTime: record.eventTime }]);
}

/**
 * Writes events to one Redis key the way MinIO's redis target does: a hash of
 * `bucket/object` → `{"Records":[record]}` (namespace) or a list of access values (access).
 * A batch is one command (RPUSH of every value; HSET of every field) or, when namespace deletes and
 * writes alternate, one MULTI/EXEC transaction of such commands: applied whole, in order, or not at
 * all, so a connection lost mid-batch never leaves half a batch behind to be appended twice on retry.
 */
export class RedisTarget implements Target {
  readonly id: TargetId;
  readonly capabilities: TargetCapabilities = { maxBatchSize: 500, ordered: true };
  readonly #config: RedisTargetConfig;
  readonly #logger: Logger;
  readonly #options: RedisTargetOptions;
  #client: RedisClient | undefined;
  #connecting: Promise<RedisClient> | undefined;
  #typeChecked = false;
  /** Bumped by close(), so that a connect still in flight then does not install its client. */
  #generation = 0;

  constructor(config: RedisTargetConfig, context: TargetContext, options: RedisTargetOptions = {}) {
    this.#config = config;
    this.#options = options;
    this.id = context.targetId;
    this.#logger = context.logger;
  }

  get #where(): string {
    return `redis ${this.#config.host}:${this.#config.port}`;
  }

  async open(): Promise<void> {
    const client = await this.#connect();
    if (this.#typeChecked) return;
    const expected = this.#config.format === "namespace" ? "hash" : "list";
    let actual: string;
    try {
      actual = await withTimeout(client.type(this.#config.key), `${this.#where}: TYPE timed out`);
    } catch (error) {
      throw retryableError(`${this.#where}: TYPE ${this.#config.key} failed: ${messageOf(error)}`, error);
    }
    if (actual !== "none" && actual !== expected) {
      throw permanentError(`${this.#where}: key '${this.#config.key}': expected type ${expected} does not match with available type ${actual}`);
    }
    this.#typeChecked = true;
  }

  async send(batch: readonly EventRecord[]): Promise<void> {
    if (batch.length === 0) return;
    await this.open();
    const client = this.#client;
    if (!client) throw retryableError(`${this.#where}: not connected`);
    const { key, format, compatShape } = this.#config;
    try {
      if (format === "access") {
        // One RPUSH with every value is already atomic and ordered.
        await withTimeout(
          client.rPush(
            key,
            batch.map((record) => accessValue(record, compatShape)),
          ),
          `${this.#where}: RPUSH timed out`,
        );
      } else {
        const runs = namespaceRuns(batch);
        if (runs.length === 1) {
          await withTimeout(this.#runCommand(client, runs[0] as NamespaceRun), `${this.#where}: command timed out`);
        } else {
          const transaction = client.multi();
          for (const run of runs) {
            if (run.kind === "delete") transaction.hDel(key, run.fields);
            else transaction.hSet(key, run.fields);
          }
          await withTimeout(transaction.exec(), `${this.#where}: MULTI/EXEC timed out`);
        }
      }
    } catch (error) {
      if (error instanceof TimeoutError) {
        // The reply may still come; a fresh connection keeps later batches from reading it.
        this.#drop();
        throw retryableError(error.message, error);
      }
      if (error instanceof ErrorReply && /^(WRONGTYPE|EXECABORT)/.test(firstReplyMessage(error))) {
        this.#typeChecked = false;
        throw permanentError(`${this.#where}: key '${key}': ${firstReplyMessage(error)}`, error);
      }
      throw retryableError(`${this.#where}: ${messageOf(error)}`, error);
    }
  }

  async isActive(): Promise<boolean> {
    try {
      const client = await this.#connect();
      return (await withTimeout(client.ping(), "PING timed out")) === "PONG";
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    const client = this.#client;
    this.#generation++;
    this.#client = undefined;
    this.#connecting = undefined;
    this.#typeChecked = false;
    if (!client) return;
    try {
      if (client.isReady) await withTimeout(client.close(), "QUIT timed out");
      else client.destroy();
    } catch {
      client.destroy();
    }
  }

  #runCommand(client: RedisClient, run: NamespaceRun): Promise<unknown> {
    return run.kind === "delete" ? client.hDel(this.#config.key, run.fields) : client.hSet(this.#config.key, run.fields);
  }

  #drop(): void {
    const client = this.#client;
    this.#client = undefined;
    this.#connecting = undefined;
    client?.destroy();
  }

  /** One connection per target, made on first use; reconnects in the background after it was up once. */
  #connect(): Promise<RedisClient> {
    if (this.#client) return Promise.resolve(this.#client);
    if (!this.#connecting) {
      const connecting: Promise<RedisClient> = this.#newClient().finally(() => {
        if (this.#connecting === connecting) this.#connecting = undefined;
      });
      this.#connecting = connecting;
    }
    return this.#connecting;
  }

  async #newClient(): Promise<RedisClient> {
    const { host, port, password, user, tls } = this.#config;
    const generation = this.#generation;
    let ready = false;
    const socket = {
      host,
      port,
      connectTimeout: CONNECT_TIMEOUT_MS,
      // Before the first ready, stop at once so open() fails fast and core retries it;
      // afterwards keep reconnecting with a capped backoff.
      reconnectStrategy: (retries: number, cause: Error): number | Error => (ready ? Math.min(50 * 2 ** retries, 2_000) : cause),
      ...(tls ? { ...this.#options.tls, tls: true as const, ...(isIP(host) ? {} : { servername: host }) } : {}),
    };
    const client = createClient({
      socket,
      // MinIO: AUTH <user> <password> when both are set, AUTH <password> when only the password is.
      ...(password ? { password, ...(user ? { username: user } : {}) } : {}),
      name: "MinIO",
      // RESP2 makes the handshake MinIO's own (AUTH, then CLIENT SETNAME) and works on servers
      // older than 6.0, which have no HELLO; CLIENT SETINFO is left out for the same reason.
      RESP: 2,
      disableClientInfo: true,
      // A send while the connection is down must fail now (core keeps the event), not wait in a queue.
      disableOfflineQueue: true,
    });
    client.on("error", (error: unknown) => this.#logger.debug("redis client error", { target: this.id.id, error: messageOf(error) }));
    client.on("ready", () => {
      ready = true;
    });
    try {
      await client.connect();
    } catch (error) {
      client.destroy();
      throw retryableError(`${this.#where}: not connected: ${messageOf(error)}`, error);
    }
    if (generation !== this.#generation) {
      client.destroy();
      throw retryableError(`${this.#where}: closed while connecting`);
    }
    this.#client = client as RedisClient;
    return this.#client;
  }
}

/** Consecutive events of one kind: one HSET with many fields, or one HDEL with many fields. */
type NamespaceRun = { kind: "set"; fields: Map<string, string> } | { kind: "delete"; fields: string[] };

/**
 * The namespace writes of a batch as runs: HSET applies its field/value pairs in order and HDEL
 * its fields, so one command per run leaves the hash exactly as one command per event would.
 */
export function namespaceRuns(batch: readonly EventRecord[]): NamespaceRun[] {
  const runs: NamespaceRun[] = [];
  for (const record of batch) {
    const path = objectPath(record);
    const last = runs[runs.length - 1];
    if (record.eventName === "s3:ObjectRemoved:Delete") {
      if (last?.kind === "delete") last.fields.push(path);
      else runs.push({ kind: "delete", fields: [path] });
    } else {
      // Within a run the latest record of an object wins, as successive HSETs would leave it.
      if (last?.kind === "set") last.fields.set(path, recordsJson(record));
      else runs.push({ kind: "set", fields: new Map([[path, recordsJson(record)]]) });
    }
  }
  return runs;
}

class TimeoutError extends Error {}

function withTimeout<T>(promise: Promise<T>, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(message)), COMMAND_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function firstReplyMessage(error: ErrorReply): string {
  const replies = (error as { replies?: unknown[] }).replies;
  const first = replies?.find((reply) => reply instanceof Error);
  return first instanceof Error ? first.message : error.message;
}

function messageOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return error.errors.map(messageOf).join("; ");
  return error instanceof Error ? error.message || error.constructor.name : String(error);
}
