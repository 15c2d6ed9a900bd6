import { Buffer } from "node:buffer";
import { once } from "node:events";
import {
  type EventRecord,
  type Logger,
  logEnvelopeJson,
  permanentError,
  retryableError,
  type Target,
  TargetBatchError,
  type TargetCapabilities,
  type TargetContext,
  type TargetError,
  type TargetId,
} from "@s3notify/core";
import amqp, { type Channel, type ChannelModel, type ConfirmChannel, type Message } from "amqplib";
import type { AmqpConfig } from "./types.js";

/** RabbitMQ's default `max_message_size` (128 MiB). */
export const AMQP_MAX_PAYLOAD_BYTES = 128 * 1024 * 1024;
const CONNECT_TIMEOUT_MS = 5_000;
const CONFIRM_TIMEOUT_MS = 30_000;

interface Pending {
  readonly index: number;
  readonly content: Buffer;
  returned: boolean;
}

/** One connection, one channel (a confirm channel with publisher_confirms), the exchange declared once. */
interface Session {
  readonly model: ChannelModel;
  readonly channel: Channel | ConfirmChannel;
  dead: boolean;
  /** Messages published with mandatory on a confirm channel and not confirmed yet, oldest first. */
  readonly inflight: Pending[];
}

interface Failure {
  readonly index: number;
  readonly error: TargetError;
}

/**
 * Publishes MinIO's log envelope to an AMQP 0-9-1 exchange. Unlike MinIO, which opens a channel and
 * declares the exchange for every message, it keeps one channel per connection and rebuilds both when
 * the broker closes them.
 */
export class AmqpTarget implements Target {
  readonly id: TargetId;
  readonly capabilities: TargetCapabilities = { maxBatchSize: 256, ordered: true, maxPayloadBytes: AMQP_MAX_PAYLOAD_BYTES };
  private readonly config: AmqpConfig;
  private readonly logger: Logger;
  private session: Session | undefined;
  private connecting: Promise<Session> | undefined;
  private closed = false;

  constructor(config: AmqpConfig, context: TargetContext) {
    this.config = config;
    this.id = context.targetId;
    this.logger = context.logger;
  }

  async open(): Promise<void> {
    this.closed = false;
    await this.ensureSession();
  }

  async send(batch: readonly EventRecord[]): Promise<void> {
    if (batch.length === 0) return;
    if (this.closed) throw retryableError("amqp target is closed");
    const session = await this.ensureSession();
    const failures: Failure[] = [];
    const toPublish: { index: number; record: EventRecord; content: Buffer }[] = [];
    batch.forEach((record, index) => {
      const content = Buffer.from(logEnvelopeJson(record), "utf8");
      if (content.byteLength > AMQP_MAX_PAYLOAD_BYTES) {
        failures.push({
          index,
          error: permanentError(`amqp: message of ${content.byteLength} bytes exceeds the broker's maximum of ${AMQP_MAX_PAYLOAD_BYTES} bytes`),
        });
      } else {
        toPublish.push({ index, record, content });
      }
    });
    if (this.config.publisherConfirms) {
      failures.push(...(await this.publishConfirmed(session, toPublish)));
    } else {
      await this.publishUnconfirmed(session, toPublish);
    }
    throwFailures(batch.length, failures);
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
    const connecting = this.connecting;
    const session = this.session ?? (connecting ? await connecting.catch(() => undefined) : undefined);
    this.session = undefined;
    if (session) await this.dispose(session);
  }

  private async ensureSession(): Promise<Session> {
    if (this.session && !this.session.dead) return this.session;
    if (this.session) {
      const stale = this.session;
      this.session = undefined;
      void this.dispose(stale);
    }
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    const session = await this.connecting;
    if (this.closed) {
      await this.dispose(session);
      throw retryableError("amqp target is closed");
    }
    if (this.session !== session) {
      if (this.session) void this.dispose(this.session);
      this.session = session;
    }
    return session;
  }

  private async connect(): Promise<Session> {
    const { config } = this;
    let model: ChannelModel;
    try {
      // noDelay: a publish is several frames; with Nagle each awaited confirm costs a delayed-ACK wait (~40 ms).
      model = await amqp.connect(withHeartbeat(config.url), {
        timeout: CONNECT_TIMEOUT_MS,
        noDelay: true,
        clientProperties: { connection_name: `s3notify ${this.id.id}:${this.id.type}` },
      });
    } catch (error) {
      throw retryableError(`amqp: cannot connect to ${config.redactedUrl}: ${describe(error)}`, error);
    }
    let session: Session | undefined;
    const markDead = (): void => {
      if (session) session.dead = true;
    };
    model.on("error", (error: Error) => this.logger.warn("amqp connection error", { url: config.redactedUrl, error: describe(error) }));
    model.on("close", markDead);
    try {
      const channel = config.publisherConfirms ? await model.createConfirmChannel() : await model.createChannel();
      session = { model, channel, dead: false, inflight: [] };
      const current = session;
      channel.on("error", (error: Error) => this.logger.warn("amqp channel error", { url: config.redactedUrl, error: describe(error) }));
      channel.on("close", () => {
        current.dead = true;
      });
      channel.on("return", (message: Message) => this.onReturn(current, message));
      if (config.exchange !== "") {
        // The default exchange ("") cannot be declared; MinIO's per-message declare of it fails on RabbitMQ.
        await channel.assertExchange(config.exchange, config.exchangeType, {
          durable: config.durable,
          autoDelete: config.autoDeleted,
          internal: config.internal,
        });
      }
      return session;
    } catch (error) {
      await model.close().catch(() => undefined);
      throw retryableError(`amqp: cannot set up channel/exchange '${config.exchange}' on ${config.redactedUrl}: ${describe(error)}`, error);
    }
  }

  private async publishUnconfirmed(session: Session, messages: readonly { index: number; record: EventRecord; content: Buffer }[]): Promise<void> {
    for (const { record, content } of messages) {
      if (session.dead) throw this.lost(session);
      let writable: boolean;
      try {
        writable = session.channel.publish(this.config.exchange, this.config.routingKey, content, this.publishOptions(record));
      } catch (error) {
        throw this.lost(session, error);
      }
      if (!writable) await this.drain(session);
    }
    if (session.dead) throw this.lost(session);
  }

  private async publishConfirmed(session: Session, messages: readonly { index: number; record: EventRecord; content: Buffer }[]): Promise<Failure[]> {
    const channel = session.channel as ConfirmChannel;
    const outcomes: Promise<Failure | undefined>[] = [];
    const mandatory = this.config.mandatory;
    for (const { index, record, content } of messages) {
      if (session.dead) {
        outcomes.push(Promise.resolve({ index, error: this.lost(session) }));
        continue;
      }
      const pending: Pending = { index, content, returned: false };
      if (mandatory) session.inflight.push(pending);
      let writable = true;
      outcomes.push(
        new Promise<Failure | undefined>((resolve) => {
          try {
            writable = channel.publish(this.config.exchange, this.config.routingKey, content, this.publishOptions(record), (error: unknown) => {
              if (mandatory) removeFrom(session.inflight, pending);
              if (error) resolve({ index, error: retryableError(`amqp: broker refused (nack or channel closed) the message for ${record.eventName}`, error) });
              else if (pending.returned)
                resolve({
                  index,
                  error: permanentError(
                    `amqp: mandatory message unroutable: exchange '${this.config.exchange}' has no queue bound for routing key '${this.config.routingKey}'`,
                  ),
                });
              else resolve(undefined);
            });
          } catch (error) {
            if (mandatory) removeFrom(session.inflight, pending);
            resolve({ index, error: this.lost(session, error) });
          }
        }),
      );
      if (!writable) await this.drain(session).catch(() => undefined);
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), CONFIRM_TIMEOUT_MS);
    });
    const settled = await Promise.race([Promise.all(outcomes), timeout]);
    clearTimeout(timer);
    if (settled === "timeout") {
      // The broker stopped confirming (blocked or gone): start over on a new connection.
      session.dead = true;
      void this.dispose(session);
      throw retryableError(`amqp: no publisher confirm within ${CONFIRM_TIMEOUT_MS} ms from ${this.config.redactedUrl}`);
    }
    return settled.filter((failure): failure is Failure => failure !== undefined);
  }

  private publishOptions(record: EventRecord): amqp.Options.Publish {
    return {
      mandatory: this.config.mandatory,
      contentType: "application/json",
      ...(this.config.deliveryMode !== 0 ? { deliveryMode: this.config.deliveryMode } : {}),
      headers: { "minio-bucket": record.s3.bucket.name, "minio-event": record.eventName },
    };
  }

  /** A returned message precedes its confirm on the channel: mark the oldest unconfirmed twin. */
  private onReturn(session: Session, message: Message): void {
    const pending = session.inflight.find((entry) => !entry.returned && entry.content.equals(message.content));
    if (pending) {
      pending.returned = true;
      return;
    }
    const headers = (message.properties.headers ?? {}) as Record<string, unknown>;
    this.logger.warn("amqp: broker returned an unroutable mandatory message (publisher_confirms is off, so it is lost)", {
      exchange: this.config.exchange,
      routingKey: this.config.routingKey,
      bucket: headers["minio-bucket"],
      event: headers["minio-event"],
    });
  }

  private async drain(session: Session): Promise<void> {
    const drained = once(session.channel, "drain").then(() => "drained" as const);
    const closed = once(session.channel, "close").then(() => "closed" as const);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), CONFIRM_TIMEOUT_MS);
    });
    const outcome = await Promise.race([drained, closed, timeout]);
    clearTimeout(timer);
    if (outcome !== "drained") throw this.lost(session);
  }

  private lost(session: Session, cause?: unknown): TargetError {
    session.dead = true;
    if (this.session === session) this.session = undefined;
    void this.dispose(session);
    return retryableError(`amqp: connection to ${this.config.redactedUrl} lost; will reconnect`, cause);
  }

  private async dispose(session: Session): Promise<void> {
    session.dead = true;
    try {
      await session.model.close();
    } catch {
      // Already closed by the broker.
    }
  }
}

/** amqp091-go, MinIO's client, heartbeats every 10 s unless the URL says otherwise; amqplib takes the server's 60 s. */
function withHeartbeat(url: string): string {
  const parsed = new URL(url);
  if (parsed.searchParams.has("heartbeat")) return url;
  parsed.searchParams.set("heartbeat", "10");
  return parsed.toString();
}

function removeFrom<T>(list: T[], item: T): void {
  const at = list.indexOf(item);
  if (at >= 0) list.splice(at, 1);
}

/** Throw nothing, one TargetError, or a TargetBatchError naming what arrived. */
function throwFailures(size: number, failures: Failure[]): void {
  if (failures.length === 0) return;
  failures.sort((left, right) => left.index - right.index);
  const first = failures[0] as Failure;
  const retryable = failures.some((failure) => failure.error.retryable);
  if (failures.length === size && failures.every((failure) => failure.error.retryable === retryable)) throw first.error;
  const failed = new Set(failures.map((failure) => failure.index));
  const delivered: number[] = [];
  for (let index = 0; index < size; index++) if (!failed.has(index)) delivered.push(index);
  throw new TargetBatchError(`amqp: ${failures.length} of ${size} messages failed: ${first.error.message}`, { delivered, retryable, cause: first.error });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
