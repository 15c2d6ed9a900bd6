import { Buffer } from "node:buffer";
import { performance } from "node:perf_hooks";
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
  type TargetId,
} from "@s3notify/core";
import mqtt, { type MqttClient } from "mqtt";
import type { MqttConfig } from "./types.js";

/** MinIO's paho client waits at most 5 s for a connect or a publish token. */
const CONNECT_TIMEOUT_MS = 5_000;
const PUBLISH_TIMEOUT_MS = 5_000;
/** The MQTT 3.1.1 remaining-length limit. */
const MQTT_MAX_REMAINING_LENGTH = 268_435_455;
/** Unacknowledged QoS 2 publishes at a time; below Mosquitto's default max_inflight_messages (20). */
export const QOS2_WINDOW = 16;

interface Session {
  readonly client: MqttClient;
  dead: boolean;
  /** Resolves when the connection is lost. */
  readonly lost: Promise<void>;
}

/** MinIO's client id: the lower-case hex of the Unix time in nanoseconds. */
export function minioClientId(): string {
  const nanoseconds = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
  return nanoseconds.toString(16);
}

/**
 * Publishes MinIO's log envelope to one MQTT topic (retain off, clean session). A batch is pipelined:
 * every PUBLISH is written, then the PUBACKs (QoS 1) or PUBCOMPs (QoS 2) are awaited together.
 */
export class MqttTarget implements Target {
  readonly id: TargetId;
  readonly capabilities: TargetCapabilities;
  private readonly config: MqttConfig;
  private readonly logger: Logger;
  private session: Session | undefined;
  private connecting: Promise<Session> | undefined;
  private closed = false;

  constructor(config: MqttConfig, context: TargetContext) {
    this.config = config;
    this.id = context.targetId;
    this.logger = context.logger;
    // Fixed header (5) + topic length and bytes + packet id.
    const overhead = 5 + 2 + Buffer.byteLength(config.topic, "utf8") + 2;
    this.capabilities = { maxBatchSize: 256, ordered: true, maxPayloadBytes: MQTT_MAX_REMAINING_LENGTH - overhead };
  }

  async open(): Promise<void> {
    this.closed = false;
    await this.ensureSession();
  }

  async send(batch: readonly EventRecord[]): Promise<void> {
    if (batch.length === 0) return;
    if (this.closed) throw retryableError("mqtt target is closed");
    const maxPayload = this.capabilities.maxPayloadBytes as number;
    const payloads = batch.map((record) => Buffer.from(logEnvelopeJson(record), "utf8"));
    const oversized = payloads.flatMap((payload, index) => (payload.byteLength > maxPayload ? [index] : []));
    const session = await this.ensureSession();
    const toSend = payloads.filter((_, index) => !oversized.includes(index));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), PUBLISH_TIMEOUT_MS + batch.length * 20);
    });
    const outcome = await Promise.race([this.publishAll(session.client, toSend), session.lost.then(() => "lost" as const), timeout]);
    clearTimeout(timer);
    if (outcome !== "ok") {
      // Whatever the client still holds would be sent after we gave up: drop it with the connection.
      this.drop(session);
      const reason = outcome === "timeout" ? `no acknowledgement within ${PUBLISH_TIMEOUT_MS} ms` : outcome === "lost" ? "connection lost" : describe(outcome);
      throw retryableError(`mqtt: publish to ${this.config.brokerUrl} failed: ${reason}`, outcome instanceof Error ? outcome : undefined);
    }
    if (oversized.length > 0) {
      const error = permanentError(`mqtt: message larger than the MQTT maximum of ${maxPayload} bytes for topic '${this.config.topic}'`);
      if (oversized.length === batch.length) throw error;
      const delivered = batch.map((_, index) => index).filter((index) => !oversized.includes(index));
      throw new TargetBatchError(`mqtt: ${oversized.length} of ${batch.length} messages too large`, { delivered, retryable: false, cause: error });
    }
  }

  /**
   * Pipelined publishes, at most QOS2_WINDOW unacknowledged at QoS 2: Mosquitto 2.0 answers a QoS 2
   * PUBLISH beyond its max_inflight_messages (20) from an MQTT 3.1.1 client with a PUBREC and drops
   * it, so the sender would see PUBCOMP for a message nobody gets.
   */
  private async publishAll(client: MqttClient, payloads: readonly Buffer[]): Promise<"ok" | unknown> {
    const window = this.config.qos === 2 ? QOS2_WINDOW : Number.POSITIVE_INFINITY;
    const inFlight = new Set<Promise<void>>();
    let failure: unknown;
    for (const payload of payloads) {
      if (failure !== undefined) break;
      if (inFlight.size >= window) await Promise.race(inFlight);
      const publish: Promise<void> = client.publishAsync(this.config.topic, payload, { qos: this.config.qos, retain: false }).then(
        () => {
          inFlight.delete(publish);
        },
        (error: unknown) => {
          inFlight.delete(publish);
          failure ??= error ?? new Error("publish failed");
        },
      );
      inFlight.add(publish);
    }
    await Promise.all(inFlight);
    return failure === undefined ? "ok" : failure;
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
    if (session) {
      session.dead = true;
      await session.client.endAsync().catch(() => undefined);
    }
  }

  private async ensureSession(): Promise<Session> {
    if (this.session && !this.session.dead && this.session.client.connected) return this.session;
    if (this.session) this.drop(this.session);
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    const session = await this.connecting;
    if (this.closed) {
      this.drop(session);
      throw retryableError("mqtt target is closed");
    }
    this.session = session;
    return session;
  }

  private connect(): Promise<Session> {
    const { config } = this;
    const client = mqtt.connect(config.brokerUrl, {
      clientId: minioClientId(),
      clean: true,
      protocolVersion: 4,
      keepalive: Math.max(1, Math.round(config.keepAliveIntervalMs / 1000)),
      // Reconnection is ours: a send never waits on a queue inside the client.
      reconnectPeriod: 0,
      connectTimeout: CONNECT_TIMEOUT_MS,
      ...(config.username !== "" ? { username: config.username } : {}),
      ...(config.password !== "" ? { password: config.password } : {}),
    });
    return new Promise<Session>((resolve, reject) => {
      let settled = false;
      let markLost: () => void = () => undefined;
      const lost = new Promise<void>((resolveLost) => {
        markLost = resolveLost;
      });
      const session: Session = { client, dead: false, lost };
      const fail = (reason: string, cause?: unknown): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        client.end(true);
        reject(retryableError(`mqtt: cannot connect to ${config.brokerUrl}: ${reason}`, cause));
      };
      const timer = setTimeout(() => fail(`no CONNACK within ${CONNECT_TIMEOUT_MS} ms`), CONNECT_TIMEOUT_MS + 500);
      client.on("error", (error) => {
        if (!settled) fail(describe(error), error);
        else this.logger.warn("mqtt client error", { broker: config.brokerUrl, error: describe(error) });
      });
      client.on("close", () => {
        session.dead = true;
        markLost();
        if (!settled) fail("connection closed");
      });
      client.once("connect", () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(session);
      });
    });
  }

  private drop(session: Session): void {
    session.dead = true;
    if (this.session === session) this.session = undefined;
    session.client.end(true);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
