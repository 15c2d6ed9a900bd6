import { randomUUID } from "node:crypto";
import {
  type EventRecord,
  type Logger,
  logEnvelopeJson,
  permanentError,
  retryableError,
  type Target,
  type TargetCapabilities,
  type TargetContext,
  type TargetId,
} from "@s3notify/core";
import stan from "node-nats-streaming";
import { deadline, describe, type Failure, throwFailures } from "./failures.js";
import type { NatsConfig } from "./types.js";

const CONNECT_TIMEOUT_MS = 5_000;
const ACK_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;

type Stan = ReturnType<typeof stan.connect>;

interface Session {
  readonly connection: Stan;
  dead: boolean;
  /** Publishes of this connection whose ack has not come yet (async mode leaves some across sends). */
  readonly inFlight: Set<Promise<void>>;
}

/** node-nats-streaming's default maxPubAcksInflight. */
const CLIENT_MAX_PUB_ACKS = 16_384;

/**
 * NATS Streaming (STAN) publishing, as MinIO's deprecated `streaming=on` mode: cluster id from
 * `streaming_cluster_id`, a random UUID as client id per connection. Synchronous mode pipelines a
 * batch and waits for every ack; `streaming_async=on` does not wait (MinIO's PublishAsync without a
 * handler), so a lost message is only logged. NATS Streaming is end-of-life upstream: use JetStream.
 */
export class StanTarget implements Target {
  readonly id: TargetId;
  readonly capabilities: TargetCapabilities = { maxBatchSize: 256, ordered: true };
  private readonly config: NatsConfig;
  private readonly logger: Logger;
  private session: Session | undefined;
  private connecting: Promise<Session> | undefined;
  private closed = false;
  private warned = false;

  constructor(config: NatsConfig, context: TargetContext) {
    this.config = config;
    this.id = context.targetId;
    this.logger = context.logger;
  }

  async open(): Promise<void> {
    this.closed = false;
    if (!this.warned) {
      this.warned = true;
      this.logger.warn("nats: NATS Streaming is deprecated and end-of-life upstream; please move to JetStream (jetstream=on)");
    }
    await this.ensureSession();
  }

  async send(batch: readonly EventRecord[]): Promise<void> {
    if (batch.length === 0) return;
    if (this.closed) throw retryableError("nats streaming target is closed");
    const session = await this.ensureSession();
    const info = (session.connection as unknown as { nc?: { info?: { max_payload?: number } } }).nc?.info;
    // The PubMsg protobuf wraps the payload: leave room for its other fields.
    const maxPayload = (info?.max_payload ?? DEFAULT_MAX_PAYLOAD) - 512;
    const failures: Failure[] = [];
    const acks: Promise<void>[] = [];
    const positions: number[] = [];
    // Above maxPubAcksInflight the client fails the handler but still sends the message: never go there.
    const window = this.config.streamingMaxPubAcksInFlight > 0 ? this.config.streamingMaxPubAcksInFlight : CLIENT_MAX_PUB_ACKS;
    for (const [index, record] of batch.entries()) {
      const data = logEnvelopeJson(record);
      if (Buffer.byteLength(data, "utf8") > maxPayload) {
        failures.push({ index, error: permanentError(`nats streaming: message exceeds the server's max_payload of ${maxPayload + 512} bytes`) });
        continue;
      }
      // Each pending ack settles within the client's ack timeout, so this wait is bounded.
      while (session.inFlight.size >= window) await Promise.race(session.inFlight);
      if (session.dead) {
        failures.push({ index, error: retryableError("nats streaming: connection lost; will reconnect") });
        continue;
      }
      positions.push(index);
      const ack = new Promise<void>((resolve, reject) => {
        try {
          session.connection.publish(this.config.subject, data, (error) => {
            if (error) reject(error instanceof Error ? error : new Error(String(error)));
            // On a lost connection the client calls every pending handler without an error.
            else if (session.dead) reject(new Error("stan: connection closed before the ack"));
            else resolve();
          });
        } catch (error) {
          reject(error);
        }
      });
      const settled: Promise<void> = ack.then(
        () => undefined,
        () => undefined,
      );
      session.inFlight.add(settled);
      void settled.then(() => session.inFlight.delete(settled));
      acks.push(ack);
    }
    if (this.config.streamingAsync) {
      // MinIO's PublishAsync: do not wait; log what the server refuses later.
      for (const ack of acks) ack.catch((error: unknown) => this.logger.warn("nats streaming: asynchronous publish failed", { error: describe(error) }));
      throwFailures("nats streaming", batch.length, failures);
      return;
    }
    const timeout = deadline(ACK_TIMEOUT_MS + CONNECT_TIMEOUT_MS);
    const settled = await Promise.race([Promise.allSettled(acks), timeout.promise]);
    timeout.cancel();
    if (settled === "timeout") {
      this.drop(session);
      throw retryableError(`nats streaming: no publish acks within ${ACK_TIMEOUT_MS} ms`);
    }
    settled.forEach((outcome, position) => {
      if (outcome.status === "fulfilled") return;
      const index = positions[position] as number;
      const message = describe(outcome.reason);
      if (/closed|timeout/i.test(message)) this.drop(session);
      failures.push({ index, error: retryableError(`nats streaming: publish not acknowledged: ${message}`, outcome.reason) });
    });
    throwFailures("nats streaming", batch.length, failures);
  }

  async isActive(): Promise<boolean> {
    if (this.closed) return false;
    try {
      await this.ensureSession();
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const session = this.session ?? (this.connecting ? await this.connecting.catch(() => undefined) : undefined);
    this.session = undefined;
    if (session) await this.closeSession(session);
  }

  private async ensureSession(): Promise<Session> {
    if (this.session && !this.session.dead && !isClosed(this.session.connection)) return this.session;
    if (this.session) this.drop(this.session);
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    const session = await this.connecting;
    if (this.closed) {
      await this.closeSession(session);
      throw retryableError("nats streaming target is closed");
    }
    this.session = session;
    return session;
  }

  private connect(): Promise<Session> {
    const { config } = this;
    const servers = config.servers.map((server) => `${config.tls ? "tls" : "nats"}://${server}`);
    const connection = stan.connect(config.streamingClusterId, randomUUID(), {
      servers,
      name: "Minio Notification",
      connectTimeout: CONNECT_TIMEOUT_MS,
      ackTimeout: ACK_TIMEOUT_MS,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1_000,
      ...(config.streamingMaxPubAcksInFlight > 0 ? { maxPubAcksInflight: config.streamingMaxPubAcksInFlight } : {}),
      ...(config.username !== "" ? { user: config.username, pass: config.password } : {}),
      ...(config.token !== "" ? { token: config.token } : {}),
      ...(config.tls ? { tls: config.tlsSkipVerify ? { rejectUnauthorized: false } : true } : {}),
    });
    const session: Session = { connection, dead: false, inFlight: new Set() };
    return new Promise<Session>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => fail(`no connect response within ${CONNECT_TIMEOUT_MS} ms`), CONNECT_TIMEOUT_MS + 1_000);
      const fail = (reason: string, cause?: unknown): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        session.dead = true;
        try {
          connection.close();
        } catch {
          // Already closed.
        }
        reject(retryableError(`nats streaming: cannot connect to cluster '${config.streamingClusterId}' at ${config.servers.join(",")}: ${reason}`, cause));
      };
      connection.on("error", (error: unknown) => {
        if (!settled) fail(describe(error), error);
        else this.logger.warn("nats streaming: connection error", { error: describe(error) });
      });
      // Never let the client buffer publishes through an outage (they would arrive after we gave up
      // and be sent again by core): a disconnect ends this connection, the next send makes a new one.
      const lose = (): void => {
        session.dead = true;
        (connection as unknown as { nc?: { close(): void } }).nc?.close();
      };
      connection.on("connection_lost", lose);
      connection.on("disconnect", lose);
      connection.on("reconnecting", lose);
      connection.on("close", () => {
        session.dead = true;
        if (!settled) fail("connection closed");
      });
      connection.on("connect", () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(session);
      });
    });
  }

  private drop(session: Session): void {
    if (this.session === session) this.session = undefined;
    if (session.dead) return;
    session.dead = true;
    void this.closeSession(session);
  }

  /** Ask the server to forget the client (CloseRequest), waiting at most the connect timeout. */
  private async closeSession(session: Session): Promise<void> {
    session.dead = true;
    const { connection } = session;
    if (isClosed(connection)) return;
    const closed = new Promise<void>((resolve) => connection.once("close", () => resolve()));
    try {
      connection.close();
    } catch {
      return;
    }
    const timeout = deadline(CONNECT_TIMEOUT_MS + 1_000);
    await Promise.race([closed, timeout.promise]);
    timeout.cancel();
  }
}

/** `Stan#isClosed` exists in node-nats-streaming 0.3 but is missing from its typings. */
function isClosed(connection: Stan): boolean {
  return (connection as unknown as { isClosed(): boolean }).isClosed();
}
