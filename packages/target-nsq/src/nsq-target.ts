import net from "node:net";
import {
  type EventRecord,
  logEnvelopeJson,
  permanentError,
  retryableError,
  type Target,
  type TargetCapabilities,
  type TargetContext,
  type TargetId,
} from "@s3notify/core";
import nsq from "nsqjs";
import type { NsqTargetConfig } from "./nsq-config.js";

const CONNECT_TIMEOUT_MS = 5_000;
/** nsqd errors about the message itself: sending it again cannot help. */
const PERMANENT_ERRORS = /^E_(BAD_MESSAGE|BAD_BODY|BAD_TOPIC)\b/;

/** Publishes MinIO's event envelope to one nsqd topic; a batch is one MPUB (facts §6.6). */
export class NsqTarget implements Target {
  readonly capabilities: TargetCapabilities = { maxBatchSize: 100, ordered: true, maxPayloadBytes: 1024 * 1024 };
  private writer: nsq.Writer | undefined;
  private connecting: Promise<nsq.Writer> | undefined;

  constructor(
    readonly id: TargetId,
    private readonly config: NsqTargetConfig,
    private readonly context: TargetContext,
  ) {}

  async open(): Promise<void> {
    await this.connect();
  }

  async send(batch: readonly EventRecord[]): Promise<void> {
    if (batch.length === 0) return;
    const writer = await this.connect();
    const messages = batch.map((record) => logEnvelopeJson(record));
    await new Promise<void>((resolve, reject) => {
      writer.publish(this.config.topic, messages.length === 1 ? (messages[0] as string) : messages, (error?: Error) => {
        if (!error) return resolve();
        // nsqjs drops the connection after an error frame; the next send reconnects. Closing
        // inside nsqjs's own error callback would pull the connection from under it, hence later.
        this.forget(writer);
        const where = `nsq ${this.config.host}:${this.config.port} topic ${this.config.topic}`;
        reject(
          PERMANENT_ERRORS.test(error.message) ? permanentError(`${where}: ${error.message}`, error) : retryableError(`${where}: ${error.message}`, error),
        );
      });
    });
  }

  isActive(): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = net.connect({ host: this.config.host, port: this.config.port, timeout: CONNECT_TIMEOUT_MS });
      const finish = (result: boolean) => {
        socket.destroy();
        resolve(result);
      };
      socket.once("connect", () => finish(true));
      socket.once("timeout", () => finish(false));
      socket.once("error", () => finish(false));
    });
  }

  async close(): Promise<void> {
    const writer = this.writer ?? (await this.connecting?.catch(() => undefined));
    this.writer = undefined;
    this.connecting = undefined;
    writer?.close();
  }

  private forget(writer: nsq.Writer): void {
    if (this.writer === writer) this.writer = undefined;
    setImmediate(() => writer.close());
  }

  private connect(): Promise<nsq.Writer> {
    if (this.writer) return Promise.resolve(this.writer);
    this.connecting ??= new Promise<nsq.Writer>((resolve, reject) => {
      const writer = new nsq.Writer(this.config.host, this.config.port, { tls: this.config.tls, tlsVerification: !this.config.tlsSkipVerify });
      const timer = setTimeout(() => fail(new Error(`no answer within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
      const fail = (error: Error) => {
        clearTimeout(timer);
        writer.removeAllListeners();
        writer.on("error", () => undefined);
        writer.close();
        this.connecting = undefined;
        reject(retryableError(`nsq: cannot connect to ${this.config.host}:${this.config.port}: ${error.message}`, error));
      };
      writer.once("error", fail);
      writer.once("ready", () => {
        clearTimeout(timer);
        writer.removeListener("error", fail);
        // Later connection errors surface through the publish callback; keep them from crashing the host.
        writer.on("error", (error: Error) =>
          this.context.logger.warn("nsq connection error", { target: `${this.id.id}:${this.id.type}`, error: error.message }),
        );
        writer.on("closed", () => {
          if (this.writer === writer) this.writer = undefined;
        });
        this.writer = writer;
        this.connecting = undefined;
        resolve(writer);
      });
      writer.connect();
    });
    return this.connecting;
  }
}
