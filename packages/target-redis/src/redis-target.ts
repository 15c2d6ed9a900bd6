import { isIP } from "node:net";
import { setImmediate as nextTurn } from "node:timers/promises";
import type { ConnectionOptions } from "node:tls";
import {
  type EventRecord,
  failedAfterPrefix,
  goJson,
  type Logger,
  objectPath,
  permanentError,
  recordJson,
  recordsJson,
  retryableError,
  type Target,
  type TargetCapabilities,
  type TargetContext,
  type TargetError,
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
/**
 * Values per command. A batch goes out as a pipeline of commands this size: Redis applies one while the
 * next is being encoded (500 events go out about 1.5x faster than as one command; see bench/redis-target.bench.ts).
 */
export const VALUES_PER_COMMAND = 50;

/** The value MinIO RPUSHes for the access format (facts §2.1, §6.9). */
export function accessValue(record: EventRecord, compatShape: RedisTargetConfig["compatShape"]): string {
  // Spliced around the record's shared JSON: the same text as goJson of the whole value.
  if (compatShape === "legacy") return `[${goJson(record.eventTime)},${recordsJson(record)}]`;
  return `[{"Event":[${recordJson(record)}],"EventTime":${goJson(record.eventTime)}}]`;
}

/**
 * Writes events to one Redis key the way MinIO's redis target does: a hash of
 * `bucket/object` → `{"Records":[record]}` (namespace) or a list of access values (access).
 * A batch is a pipeline of multi-value commands (RPUSH; HSET or HDEL of consecutive records) in
 * batch order on one connection. When one fails, the commands before it were applied: the send
 * reports that prefix as delivered, so a retry does not append it again.
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
    // Each entry: the batch index after the command's last record, and how the command ended.
    const outcomes: { end: number; settled: Promise<unknown> }[] = [];
    for (const command of redisCommands(batch, format, compatShape)) {
      const reply =
        command.kind === "rpush"
          ? client.rPush(key, command.values)
          : command.kind === "hset"
            ? client.hSet(key, command.fields)
            : client.hDel(key, command.fields);
      outcomes.push({
        end: command.end,
        settled: reply.then(
          () => undefined,
          (error: unknown) => error ?? new Error("command failed"),
        ),
      });
      // Let the client write this command before the next one is encoded.
      if (command.end < batch.length) await nextTurn();
    }
    let failures: unknown[];
    try {
      failures = await withTimeout(Promise.all(outcomes.map((outcome) => outcome.settled)), `${this.#where}: command timed out`);
    } catch (error) {
      // The replies may still come; a fresh connection keeps later batches from reading them.
      this.#drop();
      throw retryableError((error as Error).message, error);
    }
    const failed = failures.findIndex((failure) => failure !== undefined);
    if (failed === -1) return;
    const failure = this.#classify(failures[failed]);
    const applied = failed === 0 ? 0 : (outcomes[failed - 1] as { end: number }).end;
    throw failedAfterPrefix(applied, batch.length, failure, "records written");
  }

  #classify(error: unknown): TargetError {
    if (error instanceof ErrorReply && /^WRONGTYPE/.test(error.message)) {
      this.#typeChecked = false;
      return permanentError(`${this.#where}: key '${this.#config.key}': ${error.message}`, error);
    }
    return retryableError(`${this.#where}: ${messageOf(error)}`, error);
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

/** One command of a batch's pipeline; `end` is the batch index after its last record. */
export type RedisCommand =
  | { readonly kind: "rpush"; readonly values: string[]; readonly end: number }
  | { readonly kind: "hset"; readonly fields: Map<string, string>; readonly end: number }
  | { readonly kind: "hdel"; readonly fields: string[]; readonly end: number };

/**
 * The commands for a batch, in batch order, made one at a time (so that encoding overlaps sending).
 * access: RPUSH of up to VALUES_PER_COMMAND values. namespace: consecutive writes become one HSET (the
 * latest record of an object in it wins, as successive HSETs would leave it) and consecutive
 * `s3:ObjectRemoved:Delete`s one HDEL, each of up to VALUES_PER_COMMAND records.
 */
export function* redisCommands(
  batch: readonly EventRecord[],
  format: RedisTargetConfig["format"],
  compatShape: RedisTargetConfig["compatShape"],
): Generator<RedisCommand> {
  let start = 0;
  while (start < batch.length) {
    const limit = Math.min(batch.length, start + VALUES_PER_COMMAND);
    if (format === "access") {
      yield { kind: "rpush", values: batch.slice(start, limit).map((record) => accessValue(record, compatShape)), end: limit };
      start = limit;
      continue;
    }
    const deleting = isDelete(batch[start] as EventRecord);
    let end = start;
    while (end < limit && isDelete(batch[end] as EventRecord) === deleting) end++;
    const records = batch.slice(start, end);
    if (deleting) yield { kind: "hdel", fields: records.map(objectPath), end };
    else yield { kind: "hset", fields: new Map(records.map((record) => [objectPath(record), recordsJson(record)])), end };
    start = end;
  }
}

function isDelete(record: EventRecord): boolean {
  return record.eventName === "s3:ObjectRemoved:Delete";
}

class TimeoutError extends Error {}

function withTimeout<T>(promise: Promise<T>, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(message)), COMMAND_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function messageOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return error.errors.map(messageOf).join("; ");
  return error instanceof Error ? error.message || error.constructor.name : String(error);
}
