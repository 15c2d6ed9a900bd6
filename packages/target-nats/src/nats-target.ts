import { readFile } from "node:fs/promises";
import {
  type EventRecord,
  type Logger,
  logEnvelopeJson,
  permanentError,
  retryableError,
  type Target,
  type TargetCapabilities,
  type TargetContext,
  type TargetError,
  type TargetId,
} from "@s3notify/core";
import {
  type ConnectionOptions,
  connect,
  createInbox,
  credsAuthenticator,
  type Msg,
  type NatsConnection,
  type NatsError,
  nkeyAuthenticator,
  type TlsOptions,
} from "nats";
import { deadline, describe, type Failure, throwFailures } from "./failures.js";
import type { NatsConfig } from "./types.js";

const CONNECT_TIMEOUT_MS = 5_000;
const FLUSH_TIMEOUT_MS = 5_000;
const PUB_ACK_TIMEOUT_MS = 5_000;
/** nats-server's default max_payload, used until the server's INFO says otherwise. */
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;
/** JetStream's "message size exceeds maximum allowed". */
const JS_MESSAGE_TOO_LARGE = 10054;

/** The payload for a record, or undefined when it can never be sent (the encoder records why). */
type Encoder = (record: EventRecord, index: number) => Uint8Array | undefined;

/** The PubAcks one send() waits for: record `index` of the batch was published with reply token `first + index`. */
interface PendingAcks {
  readonly first: number;
  readonly replies: (Msg | Error | undefined)[];
  readonly published: boolean[];
  remaining: number;
  answered(): void;
}

/**
 * JetStream PubAcks arrive on one wildcard inbox, `<prefix>.<token>`. Tokens count up per connection and a
 * batch takes a consecutive run of them, so a reply finds its slot by arithmetic: no closure or map entry per message.
 */
interface AckInbox {
  readonly prefix: string;
  readonly pending: Set<PendingAcks>;
  next: number;
}

function settle(pending: PendingAcks, index: number, reply: Msg | Error): void {
  if (!pending.published[index] || pending.replies[index] !== undefined) return;
  pending.replies[index] = reply;
  if (--pending.remaining === 0) pending.answered();
}

interface Session {
  readonly nc: NatsConnection;
  readonly acks: AckInbox | undefined;
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
  /** Large batches pay: the per-batch round trip (PONG or last PubAck) is what pipelining hides. */
  readonly capabilities: TargetCapabilities = { maxBatchSize: 1024, ordered: true };
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
    // Encoded as they are published, so the server works on the first messages while later ones are encoded.
    const encode = (record: EventRecord, index: number): Uint8Array | undefined => {
      const data = Buffer.from(logEnvelopeJson(record), "utf8");
      if (data.byteLength <= maxPayload) return data;
      failures.push({ index, error: permanentError(`nats: message of ${data.byteLength} bytes exceeds the server's max_payload of ${maxPayload} bytes`) });
      return undefined;
    };
    if (session.acks) failures.push(...(await this.publishJetStream(session, session.acks, batch, encode)));
    else await this.publishCore(session, batch, encode);
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

  private async publishCore(session: Session, batch: readonly EventRecord[], encode: Encoder): Promise<void> {
    try {
      batch.forEach((record, index) => {
        const data = encode(record, index);
        if (data) session.nc.publish(this.config.subject, data);
      });
    } catch (error) {
      throw this.classify(session, error);
    }
    const timeout = deadline(FLUSH_TIMEOUT_MS);
    const flushed = await Promise.race([
      session.nc.flush().then(
        () => "ok" as const,
        (error: unknown) => error,
      ),
      timeout.promise,
    ]);
    timeout.cancel();
    if (flushed === "timeout") throw retryableError(`nats: no PONG within ${FLUSH_TIMEOUT_MS} ms after publishing; the messages may or may not have arrived`);
    if (flushed !== "ok") throw this.classify(session, flushed);
  }

  /**
   * A JetStream publish is a core publish with a reply subject; the stream answers with a PubAck
   * (`{"stream","seq"}` or `{"error":{…}}`), or the server with a 503 status when no stream listens.
   * nats.js's js.publish() makes a request (timer, promise, inbox bookkeeping) per message; this keeps
   * one inbox for the connection and one deadline per batch, which is what makes pipelining pay.
   */
  private async publishJetStream(session: Session, acks: AckInbox, batch: readonly EventRecord[], encode: Encoder): Promise<Failure[]> {
    let answered: () => void = () => undefined;
    const allAnswered = new Promise<"answered">((resolve) => {
      answered = () => resolve("answered");
    });
    // remaining starts at 1: the count held while publishing keeps an early last reply from resolving too soon.
    const pending: PendingAcks = {
      first: acks.next + 1,
      replies: new Array(batch.length),
      published: new Array(batch.length).fill(false),
      remaining: 1,
      answered,
    };
    acks.next += batch.length;
    acks.pending.add(pending);
    try {
      batch.forEach((record, index) => {
        const data = encode(record, index);
        if (!data) return;
        pending.published[index] = true;
        pending.remaining++;
        session.nc.publish(this.config.subject, data, { reply: `${acks.prefix}.${pending.first + index}` });
      });
    } catch (error) {
      acks.pending.delete(pending);
      throw this.classify(session, error);
    }
    if (--pending.remaining > 0) {
      const timeout = deadline(PUB_ACK_TIMEOUT_MS + batch.length * 2);
      await Promise.race([allAnswered, timeout.promise]);
      timeout.cancel();
    }
    // A PubAck arriving after this is ignored.
    acks.pending.delete(pending);
    const failures: Failure[] = [];
    for (let index = 0; index < batch.length; index++) {
      if (!pending.published[index]) continue;
      const reply = pending.replies[index];
      // No answer in time: not delivered as far as we know.
      const error = reply === undefined ? retryableError(`nats: no JetStream PubAck within ${PUB_ACK_TIMEOUT_MS} ms`) : this.pubAckError(session, reply);
      if (error) failures.push({ index, error });
    }
    return failures;
  }

  private pubAckError(session: Session, reply: Msg | Error): TargetError | undefined {
    if (reply instanceof Error) return this.classify(session, reply);
    // Fast path: a PubAck is `{"stream":…}`; errors and statuses look different.
    const data = reply.data;
    if (data.length > 10 && data[0] === 0x7b && data[2] === 0x73 && data[3] === 0x74 && !reply.headers) return undefined;
    const status = reply.headers?.code ?? 0;
    if (status === 503)
      return retryableError(`nats: no JetStream stream captures subject '${this.config.subject}' (create one; MinIO does not create streams)`);
    if (status >= 400) return retryableError(`nats: JetStream publish answered ${status} ${reply.headers?.description ?? ""}`.trim());
    let ack: { stream?: string; seq?: number; duplicate?: boolean; error?: { code?: number; err_code?: number; description?: string } };
    try {
      ack = JSON.parse(new TextDecoder().decode(reply.data)) as typeof ack;
    } catch (error) {
      return retryableError("nats: unreadable JetStream PubAck", error);
    }
    if (ack.error) {
      const text = `nats: JetStream refused the message: ${ack.error.description ?? "error"} (${ack.error.err_code ?? ack.error.code ?? "?"})`;
      return ack.error.err_code === JS_MESSAGE_TOO_LARGE ? permanentError(text) : retryableError(text);
    }
    if (ack.stream === undefined) return retryableError("nats: JetStream PubAck without a stream");
    return undefined;
  }

  private classify(session: Session, error: unknown): TargetError {
    const natsError = error as Partial<NatsError> | undefined;
    const code = natsError?.code;
    const apiCode = natsError?.api_error?.err_code;
    if (code === "MAX_PAYLOAD_EXCEEDED" || apiCode === JS_MESSAGE_TOO_LARGE)
      return permanentError(`nats: message refused as too large: ${describe(error)}`, error);
    if (code === "503")
      return retryableError(`nats: no JetStream stream captures subject '${this.config.subject}' (create one; MinIO does not create streams)`, error);
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
    let acks: AckInbox | undefined;
    if (this.config.jetstream) {
      const inbox: AckInbox = { prefix: createInbox(), pending: new Set(), next: 0 };
      nc.subscribe(`${inbox.prefix}.*`, {
        callback: (error, message) => {
          if (error) return;
          const token = Number(message.subject.slice(inbox.prefix.length + 1));
          for (const pending of inbox.pending) {
            const index = token - pending.first;
            if (index >= 0 && index < pending.replies.length) settle(pending, index, message);
          }
        },
      });
      acks = inbox;
    }
    const failWaiting = (reason: string): void => {
      if (!acks) return;
      const error = Object.assign(new Error(reason), { code: "DISCONNECT" });
      for (const pending of acks.pending) for (let index = 0; index < pending.replies.length; index++) settle(pending, index, error);
    };
    const session: Session = { nc, acks, connected: true, dead: false };
    void (async () => {
      for await (const status of nc.status()) {
        if (status.type === "disconnect") {
          session.connected = false;
          failWaiting("nats: disconnected before the PubAck");
        } else if (status.type === "reconnect") session.connected = true;
        else if (status.type === "error") this.logger.warn("nats: async error", { error: String(status.data) });
      }
    })().catch(() => undefined);
    void nc.closed().then(() => {
      session.dead = true;
      session.connected = false;
      failWaiting("nats: connection closed before the PubAck");
    });
    return session;
  }
}
