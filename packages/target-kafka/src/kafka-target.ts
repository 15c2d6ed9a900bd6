import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import net from "node:net";
import {
  type EventRecord,
  failedAfterPrefix,
  logEnvelopeJson,
  objectPath,
  permanentError,
  retryableError,
  type Target,
  type TargetCapabilities,
  type TargetContext,
  type TargetError,
  type TargetId,
} from "@s3notify/core";
import kafkajs, { type KafkaConfig, type Producer } from "kafkajs";
import type { KafkaTargetConfig } from "./kafka-config.js";
import { saramaHashPartitioner } from "./sarama-partitioner.js";

// kafkajs is CommonJS: Node's ESM loader offers only its default export.
const { CompressionCodecs, CompressionTypes, Kafka, logLevel } = kafkajs;
const require = createRequire(import.meta.url);
// kafkajs compresses only with gzip itself; snappy comes from a codec package (pure JS).
(CompressionCodecs as Record<number, unknown>)[CompressionTypes.Snappy] = require("kafkajs-snappy");

/** Kafka error types that no retry can fix: the event itself is refused. */
const PERMANENT_ERROR_TYPES = new Set([
  "MESSAGE_TOO_LARGE",
  "INVALID_RECORD",
  "CORRUPT_MESSAGE",
  "RECORD_LIST_TOO_LARGE",
  "INVALID_TOPIC_EXCEPTION",
  "INVALID_REQUIRED_ACKS",
]);
/**
 * Key and value bytes per produce request: below Kafka's default `message.max.bytes` (1 MiB, checked per
 * partition batch after compression) with room for the record and batch headers.
 */
export const MAX_PRODUCE_BYTES = 900_000;
/** Bytes a record adds besides its key and value (length, attributes, deltas, header count: varints). */
const RECORD_OVERHEAD_BYTES = 24;

/** Consecutive messages in chunks of at most `maxBytes` of key and value (a larger message goes alone). */
export function chunksByBytes<Message extends { key: string; value: string }>(messages: readonly Message[], maxBytes: number): Message[][] {
  const chunks: Message[][] = [];
  let current: Message[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = Buffer.byteLength(message.key) + Buffer.byteLength(message.value) + RECORD_OVERHEAD_BYTES;
    if (current.length > 0 && bytes + size > maxBytes) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

const COMPRESSION = { none: CompressionTypes.None, gzip: CompressionTypes.GZIP, snappy: CompressionTypes.Snappy } as const;

/** Publishes MinIO's event envelope to one Kafka topic, keyed by `bucket/object` (facts §6.4). */
export class KafkaTarget implements Target {
  readonly capabilities: TargetCapabilities;
  private producer: Producer | undefined;
  private connecting: Promise<Producer> | undefined;

  constructor(
    readonly id: TargetId,
    private readonly config: KafkaTargetConfig,
    private readonly context: TargetContext,
  ) {
    this.capabilities = { maxBatchSize: config.batchSize, ordered: true, maxPayloadBytes: 1_000_000 };
  }

  async open(): Promise<void> {
    await this.connect();
  }

  async send(batch: readonly EventRecord[]): Promise<void> {
    if (batch.length === 0) return;
    const producer = await this.connect();
    const messages = batch.map((record) => ({ key: objectPath(record), value: logEnvelopeJson(record) }));
    let published = 0;
    // Usually one produce request; a batch of large events is split so that no request passes the broker's limit.
    for (const chunk of chunksByBytes(messages, MAX_PRODUCE_BYTES)) {
      try {
        await producer.send({ topic: this.config.topic, acks: this.config.acks, compression: COMPRESSION[this.config.compression], messages: chunk });
      } catch (error) {
        const failure = classify(error, `kafka ${this.config.brokers.join(",")} topic ${this.config.topic}`);
        throw failedAfterPrefix(published, batch.length, failure, "events published");
      }
      published += chunk.length;
    }
  }

  async isActive(): Promise<boolean> {
    for (const broker of this.config.brokers) if (await canDial(broker, 2_000)) return true;
    return false;
  }

  async close(): Promise<void> {
    const producer = this.producer ?? (await this.connecting?.catch(() => undefined));
    this.producer = undefined;
    this.connecting = undefined;
    await producer?.disconnect().catch(() => undefined);
  }

  private connect(): Promise<Producer> {
    if (this.producer) return Promise.resolve(this.producer);
    this.connecting ??= this.createProducer().then(
      (producer) => {
        this.producer = producer;
        this.connecting = undefined;
        return producer;
      },
      (error: unknown) => {
        this.connecting = undefined;
        throw retryableError(`kafka: cannot connect to ${this.config.brokers.join(",")}: ${messageOf(error)}`, error);
      },
    );
    return this.connecting;
  }

  private async createProducer(): Promise<Producer> {
    const kafkaConfig: KafkaConfig = {
      clientId: "minio-notify",
      brokers: [...this.config.brokers],
      connectionTimeout: 5_000,
      requestTimeout: 5_000,
      retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 1_000 },
      logLevel: logLevel.NOTHING,
    };
    if (this.config.tls) {
      const { clientCertFile, clientKeyFile, skipVerify } = this.config.tls;
      kafkaConfig.ssl = {
        rejectUnauthorized: !skipVerify,
        ...(clientCertFile && clientKeyFile ? { cert: await readFile(clientCertFile), key: await readFile(clientKeyFile) } : {}),
      };
    }
    if (this.config.sasl) {
      const { mechanism, username, password } = this.config.sasl;
      // kafkajs types SASL options as a union keyed by mechanism; the values are the same for all three.
      kafkaConfig.sasl = { mechanism, username, password } as KafkaConfig["sasl"];
    }
    const idempotent = this.config.acks === -1;
    const producer = new Kafka(kafkaConfig).producer({
      allowAutoTopicCreation: true,
      idempotent,
      maxInFlightRequests: idempotent ? 1 : 5,
      createPartitioner: saramaHashPartitioner,
    });
    producer.on(producer.events.DISCONNECT, () => {
      if (this.producer === producer) this.producer = undefined;
    });
    await producer.connect();
    this.context.logger.debug("kafka producer connected", { target: `${this.id.id}:${this.id.type}`, brokers: this.config.brokers });
    return producer;
  }
}

function classify(error: unknown, where: string): TargetError {
  for (let current: unknown = error; current instanceof Error; current = (current as { cause?: unknown }).cause) {
    const type = (current as { type?: unknown }).type;
    if (typeof type === "string" && PERMANENT_ERROR_TYPES.has(type)) return permanentError(`${where}: ${type}: ${current.message}`, error);
  }
  return retryableError(`${where}: ${messageOf(error)}`, error);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function canDial(address: string, timeoutMs: number): Promise<boolean> {
  const separator = address.lastIndexOf(":");
  const host = address.slice(0, separator).replace(/^\[|\]$/g, "");
  const port = Number(address.slice(separator + 1));
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: timeoutMs });
    const finish = (result: boolean) => {
      socket.destroy();
      resolve(result);
    };
    socket.once("connect", () => finish(true));
    socket.once("timeout", () => finish(false));
    socket.once("error", () => finish(false));
  });
}
