import { readFile } from "node:fs/promises";
import {
  type ConnectionOptions,
  type JetStreamClient,
  type NatsConnection,
  type NatsError,
  type TlsOptions,
  connect,
  credsAuthenticator,
  nkeyAuthenticator,
} from "nats";
import {
  type EventRecord,
  type Logger,
  type Target,
  type TargetCapabilities,
  type TargetContext,
  type TargetError,
  type TargetId,
  logEnvelopeJson,
  permanentError,
  retryableError,
} from "@s3notify/core";
import { type Failure, deadline, describe, throwFailures } from "./failures.js";
import type { NatsConfig } from "./types.js";

const CONNECT_TIMEOUT_MS = 5_000;
const FLUSH_TIMEOUT_MS = 5_000;
const PUB_ACK_TIMEOUT_MS = 5_000;
/** nats-server's default max_payload, used until the server's INFO says otherwise. */
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;
/** JetStream's "message size exceeds maximum allowed". */
const JS_MESSAGE_TOO_LARGE = 10054;

interface Session {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient | undefined;
  /** False between a disconnect and the client's own reconnect. */
  connected: boolean;
  dead: boolean;
}

/** The nats.js options MinIO's Go client would get: name, endless reconnects, auth, TLS. */
export async function natsConnectionOptions(config: NatsConfig): Promise<ConnectionOptions> {
  const options: ConnectionOptions = {
    servers: [...config.servers],
    name: "Minio Notification",
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1_000,
    timeout: CONNECT_TIMEOUT_MS,
  };
  if (config.username !== "") {
    options.user = config.username;
    options.pass = config.password;
  }
  if (config.token !== "") options.token = config.token;
  if (config.userCredentials !== "") options.authenticator = credsAuthenticator(await readFile(config.userCredentials));
  else if (config.nkeySeed !== "") options.authenticator = nkeyAuthenticator(new TextEncoder().encode((await readFile(config.nkeySeed, "utf8")).trim()));
  if (config.tls || config.certAuthority !== "" || config.clientCert !== "" || config.tlsHandshakeFirst) {
    const tls: TlsOptions & { rejectUnauthorized?: boolean } = {};
    if (config.certAuthority !== "") tls.caFile = config.certAuthority;
    if (config.clientCert !== "") {
      tls.certFile = config.clientCert;
      tls.keyFile = config.clientKey;
    }
    if (config.tlsHandshakeFirst) tls.handshakeFirst = true;
    if (config.tlsSkipVerify) tls.rejectUnauthorized = false;
    options.tls = tls;
  }
  return options;
}

/**
 * Core NATS or JetStream publishing of MinIO's log envelope. Core NATS publishes a batch and then
 * flushes (one round trip), so a dead connection surfaces as an error instead of a silent loss;
 * JetStream pipelines the publishes of a batch and checks every PubAck in order.
 */
export class NatsTarget implements Target {
  readonly id: TargetId;
  readonly capabilities: TargetCapabilities = { maxBatchSize: 256, ordered: true };
  private readonly config: NatsConfig;
  private readonly logger: Logger;
  private session: Session | undefined;
  private connecting: Promise<Session> | undefined;
  private streamChecked = false;
  private closed = false;

  constructor(config: NatsConfig, context: TargetContext) {
    this.config = config;
    this.id = context.targetId;
    this.logger = context.logger;
  }

  async open(): Promise<void> {
    this.closed = false;
    const session = await this.ensureSession();
    if (this.config.jetstream) await this.checkStream(session);
  }

  async send(batch: readonly EventRecord[]): Promise<void> {
    if (batch.length === 0) return;
    if (this.closed) throw retryableError("nats target is closed");
    const session = await this.ensureSession();
    if (!session.connected) throw retryableError(`nats: not connected to ${this.config.servers.join(",")} (reconnecting)`);
    const maxPayload = session.nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD;
    const failures: Failure[] = [];
    const payloads: { index: number; data: Uint8Array }[] = [];
    batch.forEach((record, index) => {
      const data = Buffer.from(logEnvelopeJson(record), "utf8");
      if (data.byteLength > maxPayload) failures.push({ index, error: permanentError(`nats: message of ${data.byteLength} bytes exceeds the server's max_payload of ${maxPayload} bytes`) });
      else payloads.push({ index, data });
    });
    if (session.js) failures.push(...(await this.publishJetStream(session, session.js, payloads)));
    else await this.publishCore(session, payloads);
    throwFailures("nats", batch.length, failures);
  }

  async isActive(): Promise<boolean> {
    if (this.closed) return false;
    try {
      const session = await this.ensureSession();
      return session.connected;
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
      await session.nc.close().catch(() => undefined);
    }
  }

  private async publishCore(session: Session, payloads: readonly { index: number; data: Uint8Array }[]): Promise<void> {
    try {
      for (const { data } of payloads) session.nc.publish(this.config.subject, data);
    } catch (error) {
      throw this.classify(session, error);
    }
    const timeout = deadline(FLUSH_TIMEOUT_MS);
    const flushed = await Promise.race([session.nc.flush().then(() => "ok" as const, (error: unknown) => error), timeout.promise]);
    timeout.cancel();
    if (flushed === "timeout") throw retryableError(`nats: no PONG within ${FLUSH_TIMEOUT_MS} ms after publishing; the messages may or may not have arrived`);
    if (flushed !== "ok") throw this.classify(session, flushed);
  }

  private async publishJetStream(session: Session, js: JetStreamClient, payloads: readonly { index: number; data: Uint8Array }[]): Promise<Failure[]> {
    const acks = payloads.map(({ data }) => js.publish(this.config.subject, data, { timeout: PUB_ACK_TIMEOUT_MS }));
    const settled = await Promise.allSettled(acks);
    const failures: Failure[] = [];
    settled.forEach((outcome, position) => {
      const index = (payloads[position] as { index: number }).index;
      if (outcome.status === "rejected") failures.push({ index, error: this.classify(session, outcome.reason) });
      else if (outcome.value.duplicate) this.logger.debug("nats: JetStream reported a duplicate", { stream: outcome.value.stream, seq: outcome.value.seq });
    });
    return failures;
  }

  private classify(session: Session, error: unknown): TargetError {
    const natsError = error as Partial<NatsError> | undefined;
    const code = natsError?.code;
    const apiCode = natsError?.api_error?.err_code;
    if (code === "MAX_PAYLOAD_EXCEEDED" || apiCode === JS_MESSAGE_TOO_LARGE) return permanentError(`nats: message refused as too large: ${describe(error)}`, error);
    if (code === "503") return retryableError(`nats: no JetStream stream captures subject '${this.config.subject}' (create one; MinIO does not create streams)`, error);
    if (code === "CONNECTION_CLOSED" || session.nc.isClosed()) {
      session.dead = true;
      return retryableError(`nats: connection closed; will reconnect: ${describe(error)}`, error);
    }
    return retryableError(`nats: publish failed: ${describe(error)}`, error);
  }

  /** MinIO never creates a stream: refuse to open until one captures the subject. */
  private async checkStream(session: Session): Promise<void> {
    if (this.streamChecked) return;
    try {
      const manager = await session.nc.jetstreamManager({ timeout: PUB_ACK_TIMEOUT_MS });
      await manager.streams.find(this.config.subject);
      this.streamChecked = true;
    } catch (error) {
      const message = `nats: no JetStream stream captures subject '${this.config.subject}' (${describe(error)}); create one, e.g. nats stream add --subjects '${this.config.subject}'`;
      this.logger.warn(message);
      throw retryableError(message, error);
    }
  }

  private async ensureSession(): Promise<Session> {
    if (this.session && !this.session.dead && !this.session.nc.isClosed()) return this.session;
    this.session = undefined;
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    const session = await this.connecting;
    if (this.closed) {
      await session.nc.close().catch(() => undefined);
      throw retryableError("nats target is closed");
    }
    this.session = session;
    return session;
  }

  private async connect(): Promise<Session> {
    let nc: NatsConnection;
    try {
      nc = await connect(await natsConnectionOptions(this.config));
    } catch (error) {
      throw retryableError(`nats: cannot connect to ${this.config.servers.join(",")}: ${describe(error)}`, error);
    }
    const session: Session = { nc, js: this.config.jetstream ? nc.jetstream({ timeout: PUB_ACK_TIMEOUT_MS }) : undefined, connected: true, dead: false };
    void (async () => {
      for await (const status of nc.status()) {
        if (status.type === "disconnect") session.connected = false;
        else if (status.type === "reconnect") session.connected = true;
        else if (status.type === "error") this.logger.warn("nats: async error", { error: String(status.data) });
      }
    })().catch(() => undefined);
    void nc.closed().then(() => {
      session.dead = true;
      session.connected = false;
    });
    return session;
  }
}
