import { once } from "node:events";
import net from "node:net";
import tls from "node:tls";
import { KafkaReader, KafkaWriter } from "./kafka-buffer.js";
import { decodeRecordBatches, type RecordBatch, RecordBatchError } from "./record-batch.js";
import { type SaslCredentials, SaslServerSession } from "./sasl-server.js";

/** One message as the test broker stored it. */
export interface KafkaTestMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly key: string | null;
  readonly value: string | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly timestamp: bigint;
  readonly producerId: bigint;
}

export interface KafkaTestBrokerOptions {
  /** Listen port; 0 (default) picks a free one, kept across stop()/start(). */
  readonly port?: number;
  /** Partitions of auto-created topics (default 1). */
  readonly partitions?: number;
  /** Require SASL with these credentials. */
  readonly sasl?: SaslCredentials;
  /** Serve TLS (set requestCert + ca to require client certificates). */
  readonly tls?: tls.TlsOptions;
  /** Largest record set accepted in one partition of a produce request (default 1 MiB). */
  readonly maxMessageBytes?: number;
  /**
   * Keep at most this many record-batch bytes per partition, deleting the oldest batches first (Kafka's
   * `retention.bytes`; the newest batch always stays). Unlimited by default, so that tests read back
   * everything; a long benchmark sets it to keep the broker's memory flat. Deleted batches are gone from
   * Fetch and from messages() not yet read; ListOffsets' earliest offset moves past them.
   */
  readonly retainBytes?: number;
}

/** Kafka error codes the broker uses. */
export const KafkaErrorCode = {
  none: 0,
  offsetOutOfRange: 1,
  unknownTopicOrPartition: 3,
  corruptMessage: 2,
  requestTimedOut: 7,
  messageTooLarge: 10,
  unsupportedSaslMechanism: 33,
  illegalSaslState: 34,
  unsupportedVersion: 35,
  saslAuthenticationFailed: 58,
} as const;

const API = { produce: 0, fetch: 1, listOffsets: 2, metadata: 3, saslHandshake: 17, apiVersions: 18, initProducerId: 22, saslAuthenticate: 36 } as const;
const SUPPORTED_VERSIONS: ReadonlyArray<readonly [number, number, number]> = [
  [API.produce, 3, 7],
  [API.fetch, 4, 4],
  [API.listOffsets, 1, 2],
  [API.metadata, 0, 5],
  [API.saslHandshake, 0, 1],
  [API.apiVersions, 0, 2],
  [API.initProducerId, 0, 1],
  [API.saslAuthenticate, 0, 1],
];
const NODE_ID = 1;

interface PartitionLog {
  /** Retained batches are `batches[first…]`; deleting empties a slot and advances `first` (a shift would copy the array each time). */
  batches: (RecordBatch | undefined)[];
  first: number;
  /** Bytes of the retained batches. */
  bytes: number;
  /** Offset of the first retained record (Kafka's log start offset). */
  startOffset: bigint;
  nextOffset: bigint;
}

interface ConnectionState {
  authenticated: boolean;
  sasl?: SaslServerSession;
}

/**
 * A single-node Kafka broker speaking the real wire protocol (non-flexible API versions):
 * ApiVersions, Metadata, Produce with magic-2 record batches (CRC-32C checked, none/gzip),
 * ListOffsets, Fetch, InitProducerId and the SASL handshake (PLAIN, SCRAM-SHA-256/512),
 * over TCP or TLS. It keeps every record it accepted (or, with retainBytes, the newest) and can be told to fail or vanish.
 */
export class KafkaTestBroker {
  private readonly logs = new Map<string, PartitionLog[]>();
  private readonly arrivals: KafkaTestMessage[] = [];
  /** Batches stored since messages() last turned them into arrivals (decoding is left until a test asks). */
  private readonly unread = new Map<RecordBatch, { topic: string; partition: number }>();
  private readonly sockets = new Set<net.Socket>();
  private readonly waiters = new Set<() => void>();
  private server: net.Server | undefined;
  private listenPort: number;
  private produceFailures: { remaining: number; errorCode: number } = { remaining: 0, errorCode: 0 };
  private nextProducerId = 1000n;
  /** Api keys of every request received, in order. */
  readonly requests: number[] = [];

  private constructor(private readonly options: KafkaTestBrokerOptions) {
    this.listenPort = options.port ?? 0;
  }

  static async start(options: KafkaTestBrokerOptions = {}): Promise<KafkaTestBroker> {
    const { retainBytes } = options;
    if (retainBytes !== undefined && !(Number.isSafeInteger(retainBytes) && retainBytes >= 0)) {
      throw new RangeError(`KafkaTestBroker: retainBytes must be a whole number of bytes, 0 or more (got ${retainBytes})`);
    }
    const broker = new KafkaTestBroker(options);
    await broker.start();
    return broker;
  }

  get port(): number {
    return this.listenPort;
  }

  /** `127.0.0.1:<port>`, the bootstrap list for clients. */
  get brokers(): string[] {
    return [`127.0.0.1:${this.listenPort}`];
  }

  /** Listen (again) on the same port. */
  async start(): Promise<void> {
    if (this.server) return;
    const server = this.options.tls ? tls.createServer(this.options.tls, (socket) => this.accept(socket)) : net.createServer((socket) => this.accept(socket));
    server.listen(this.listenPort, "127.0.0.1");
    await once(server, "listening");
    this.listenPort = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  /** Close the listener and every connection: an outage. Stored records are kept. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Drop every open connection but keep listening (clients must reconnect). */
  dropConnections(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  async close(): Promise<void> {
    await this.stop();
  }

  /** Answer the next `count` produce partitions with `errorCode` (7 REQUEST_TIMED_OUT is retriable, 10 MESSAGE_TOO_LARGE is not). */
  failNextProduce(count: number, errorCode: number = KafkaErrorCode.requestTimedOut): void {
    this.produceFailures = { remaining: count, errorCode };
  }

  /** Every stored message of a topic in arrival order (across partitions). */
  messages(topic?: string): KafkaTestMessage[] {
    const unread = [...this.unread];
    this.unread.clear();
    for (const [batch, { topic: name, partition }] of unread) {
      for (const record of batch.records) {
        this.arrivals.push({
          topic: name,
          partition,
          offset: record.offset,
          key: record.key?.toString("utf8") ?? null,
          value: record.value?.toString("utf8") ?? null,
          headers: record.headers,
          timestamp: record.timestamp,
          producerId: batch.producerId,
        });
      }
    }
    return topic === undefined ? [...this.arrivals] : this.arrivals.filter((message) => message.topic === topic);
  }

  /** Resolves once `topic` holds at least `count` messages. */
  async waitForMessages(topic: string, count: number, timeoutMs = 10_000): Promise<KafkaTestMessage[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const messages = this.messages(topic);
      if (messages.length >= count) return messages;
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`timed out waiting for ${count} messages on ${topic}: have ${messages.length}`);
      await this.nextArrival(remaining);
    }
  }

  /** Create a topic explicitly (auto-creation also happens on Metadata). */
  createTopic(topic: string, partitions = this.options.partitions ?? 1): void {
    if (!this.logs.has(topic))
      this.logs.set(
        topic,
        Array.from({ length: partitions }, () => ({ batches: [], first: 0, bytes: 0, startOffset: 0n, nextOffset: 0n })),
      );
  }

  private nextArrival(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(done);
    });
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    const state: ConnectionState = { authenticated: this.options.sasl === undefined };
    let pending: Buffer = Buffer.alloc(0);
    // A large request arrives in many chunks: keep them aside until the frame is whole, then copy once.
    const parts: Buffer[] = [];
    let partsLength = 0;
    let wanted = 0;
    let chain = Promise.resolve();
    socket.on("data", (data: Buffer) => {
      if (wanted > 0) {
        parts.push(data);
        partsLength += data.length;
        if (pending.length + partsLength < wanted) return;
        pending = Buffer.concat([pending, ...parts]);
        parts.length = 0;
        partsLength = 0;
        wanted = 0;
      } else {
        pending = pending.length === 0 ? data : Buffer.concat([pending, data]);
      }
      while (pending.length >= 4) {
        const size = pending.readInt32BE(0);
        if (pending.length < 4 + size) {
          wanted = 4 + size;
          break;
        }
        const frame = pending.subarray(4, 4 + size);
        pending = pending.subarray(4 + size);
        // Kafka answers requests of one connection in order, even when a Fetch waits.
        chain = chain
          .then(() => this.handle(frame, state, socket))
          .catch(() => {
            socket.destroy();
          });
      }
    });
    socket.on("error", () => socket.destroy());
    socket.on("close", () => this.sockets.delete(socket));
  }

  private async handle(frame: Buffer, state: ConnectionState, socket: net.Socket): Promise<void> {
    const reader = new KafkaReader(frame);
    const apiKey = reader.int16();
    const apiVersion = reader.int16();
    const correlationId = reader.int32();
    reader.nullableString(); // client id
    this.requests.push(apiKey);
    const supported = SUPPORTED_VERSIONS.find(([key]) => key === apiKey);
    if (apiKey === API.apiVersions) return this.send(socket, correlationId, this.apiVersions(apiVersion));
    if (!supported || apiVersion < supported[1] || apiVersion > supported[2]) {
      socket.destroy();
      return;
    }
    if (!state.authenticated && apiKey !== API.saslHandshake && apiKey !== API.saslAuthenticate) {
      socket.destroy();
      return;
    }
    switch (apiKey) {
      case API.saslHandshake:
        return this.send(socket, correlationId, this.saslHandshake(reader, state));
      case API.saslAuthenticate: {
        const { response, close } = this.saslAuthenticate(reader, apiVersion, state);
        this.send(socket, correlationId, response);
        if (close) socket.end();
        return;
      }
      case API.metadata:
        return this.send(socket, correlationId, this.metadata(reader, apiVersion));
      case API.produce: {
        const { response, acks } = this.produce(reader, apiVersion);
        if (acks !== 0) this.send(socket, correlationId, response);
        return;
      }
      case API.listOffsets:
        return this.send(socket, correlationId, this.listOffsets(reader, apiVersion));
      case API.fetch:
        return this.send(socket, correlationId, await this.fetch(reader));
      case API.initProducerId: {
        reader.nullableString();
        reader.int32();
        const producerId = this.nextProducerId++;
        return this.send(socket, correlationId, new KafkaWriter().int32(0).int16(0).int64(producerId).int16(0).toBuffer());
      }
    }
  }

  private send(socket: net.Socket, correlationId: number, body: Buffer): void {
    const header = Buffer.alloc(8);
    header.writeInt32BE(body.length + 4, 0);
    header.writeInt32BE(correlationId, 4);
    if (!socket.destroyed) socket.write(Buffer.concat([header, body]));
  }

  private apiVersions(version: number): Buffer {
    const writer = new KafkaWriter();
    // A version we do not know is answered in v0 form with UNSUPPORTED_VERSION, as real brokers do.
    const unsupported = version > 2;
    writer.int16(unsupported ? KafkaErrorCode.unsupportedVersion : 0);
    writer.array(SUPPORTED_VERSIONS, (item, [key, min, max]) => item.int16(key).int16(min).int16(max));
    if (!unsupported && version >= 1) writer.int32(0);
    return writer.toBuffer();
  }

  private saslHandshake(reader: KafkaReader, state: ConnectionState): Buffer {
    const mechanism = reader.string();
    const configured = this.options.sasl;
    const writer = new KafkaWriter();
    if (!configured || mechanism !== configured.mechanism) {
      writer.int16(KafkaErrorCode.unsupportedSaslMechanism);
    } else {
      state.sasl = new SaslServerSession(configured);
      writer.int16(0);
    }
    return writer.array(configured ? [configured.mechanism] : [], (item, name) => item.string(name)).toBuffer();
  }

  private saslAuthenticate(reader: KafkaReader, version: number, state: ConnectionState): { response: Buffer; close: boolean } {
    const bytes = reader.bytes() ?? Buffer.alloc(0);
    const writer = new KafkaWriter();
    if (!state.sasl) {
      writer.int16(KafkaErrorCode.illegalSaslState).nullableString("SaslHandshake must come first").bytes(Buffer.alloc(0));
      if (version >= 1) writer.int64(0n);
      return { response: writer.toBuffer(), close: true };
    }
    const step = state.sasl.step(bytes);
    if (step.error) writer.int16(KafkaErrorCode.saslAuthenticationFailed).nullableString(step.error).bytes(Buffer.alloc(0));
    else writer.int16(0).nullableString(null).bytes(step.reply);
    if (version >= 1) writer.int64(0n);
    if (step.done && !step.error) state.authenticated = true;
    return { response: writer.toBuffer(), close: step.error !== undefined };
  }

  private metadata(reader: KafkaReader, version: number): Buffer {
    const requested = reader.array((item) => item.string());
    const allowCreate = version >= 4 ? reader.int8() !== 0 : true;
    const all = requested === null || (version === 0 && requested.length === 0);
    const names = all ? [...this.logs.keys()] : (requested ?? []);
    if (allowCreate) for (const name of names) this.createTopic(name);
    const writer = new KafkaWriter();
    if (version >= 3) writer.int32(0);
    writer.array([NODE_ID], (item, nodeId) => {
      item.int32(nodeId).string("127.0.0.1").int32(this.listenPort);
      if (version >= 1) item.nullableString(null);
    });
    if (version >= 2) writer.nullableString("s3notify-test-cluster");
    if (version >= 1) writer.int32(NODE_ID);
    writer.array(names, (item, name) => {
      const partitions = this.logs.get(name);
      item.int16(partitions ? 0 : KafkaErrorCode.unknownTopicOrPartition).string(name);
      if (version >= 1) item.boolean(false);
      item.array(partitions ?? [], (partitionItem, _log, index) => {
        partitionItem.int16(0).int32(index).int32(NODE_ID);
        partitionItem.array([NODE_ID], (replica, id) => replica.int32(id));
        partitionItem.array([NODE_ID], (isr, id) => isr.int32(id));
        if (version >= 5) partitionItem.array([] as number[], (offline, id) => offline.int32(id));
      });
    });
    return writer.toBuffer();
  }

  private produce(reader: KafkaReader, version: number): { response: Buffer; acks: number } {
    reader.nullableString(); // transactional id
    const acks = reader.int16();
    reader.int32(); // timeout
    const topics =
      reader.array((topicReader) => ({
        name: topicReader.string(),
        partitions: topicReader.array((partitionReader) => ({ index: partitionReader.int32(), records: partitionReader.bytes() })) ?? [],
      })) ?? [];
    const writer = new KafkaWriter();
    writer.array(topics, (topicWriter, topic) => {
      topicWriter.string(topic.name);
      topicWriter.array(topic.partitions, (partitionWriter, partition) => {
        const { errorCode, baseOffset } = this.append(topic.name, partition.index, partition.records ?? Buffer.alloc(0));
        partitionWriter.int32(partition.index).int16(errorCode).int64(baseOffset).int64(-1n);
        if (version >= 5) partitionWriter.int64(0n);
      });
    });
    writer.int32(0);
    return { response: writer.toBuffer(), acks };
  }

  private append(topic: string, partition: number, recordSet: Buffer): { errorCode: number; baseOffset: bigint } {
    if (this.produceFailures.remaining > 0) {
      this.produceFailures.remaining--;
      return { errorCode: this.produceFailures.errorCode, baseOffset: -1n };
    }
    if (recordSet.length > (this.options.maxMessageBytes ?? 1024 * 1024)) return { errorCode: KafkaErrorCode.messageTooLarge, baseOffset: -1n };
    const log = this.logs.get(topic)?.[partition];
    if (!log) return { errorCode: KafkaErrorCode.unknownTopicOrPartition, baseOffset: -1n };
    let batches: RecordBatch[];
    try {
      batches = decodeRecordBatches(recordSet);
    } catch (error) {
      if (error instanceof RecordBatchError || error instanceof RangeError) return { errorCode: KafkaErrorCode.corruptMessage, baseOffset: -1n };
      throw error;
    }
    const baseOffset = log.nextOffset;
    for (const batch of batches) {
      batch.assignBaseOffset(log.nextOffset);
      log.batches.push(batch);
      log.bytes += batch.bytes.length;
      log.nextOffset += BigInt(batch.count);
      this.unread.set(batch, { topic, partition });
    }
    this.applyRetention(log);
    for (const wake of [...this.waiters]) wake();
    return { errorCode: 0, baseOffset };
  }

  private applyRetention(log: PartitionLog): void {
    const limit = this.options.retainBytes;
    if (limit === undefined) return;
    while (log.bytes > limit && log.batches.length - log.first > 1) {
      const deleted = log.batches[log.first] as RecordBatch;
      log.batches[log.first++] = undefined;
      log.bytes -= deleted.bytes.length;
      log.startOffset = deleted.baseOffset + BigInt(deleted.count);
      this.unread.delete(deleted);
    }
    if (log.first > 1024 && log.first * 2 > log.batches.length) {
      log.batches = log.batches.slice(log.first);
      log.first = 0;
    }
  }

  private listOffsets(reader: KafkaReader, version: number): Buffer {
    reader.int32(); // replica id
    if (version >= 2) reader.int8();
    const topics =
      reader.array((topicReader) => ({
        name: topicReader.string(),
        partitions: topicReader.array((partitionReader) => ({ index: partitionReader.int32(), timestamp: partitionReader.int64() })) ?? [],
      })) ?? [];
    const writer = new KafkaWriter();
    if (version >= 2) writer.int32(0);
    writer.array(topics, (topicWriter, topic) => {
      topicWriter.string(topic.name);
      topicWriter.array(topic.partitions, (partitionWriter, partition) => {
        const log = this.logs.get(topic.name)?.[partition.index];
        if (!log) {
          partitionWriter.int32(partition.index).int16(KafkaErrorCode.unknownTopicOrPartition).int64(-1n).int64(-1n);
          return;
        }
        const offset = partition.timestamp === -2n ? log.startOffset : log.nextOffset;
        partitionWriter.int32(partition.index).int16(0).int64(-1n).int64(offset);
      });
    });
    return writer.toBuffer();
  }

  private async fetch(reader: KafkaReader): Promise<Buffer> {
    reader.int32(); // replica id
    const maxWaitMs = reader.int32();
    reader.int32(); // min bytes
    reader.int32(); // max bytes
    reader.int8(); // isolation level
    const topics =
      reader.array((topicReader) => ({
        name: topicReader.string(),
        partitions:
          topicReader.array((partitionReader) => ({ index: partitionReader.int32(), offset: partitionReader.int64(), maxBytes: partitionReader.int32() })) ??
          [],
      })) ?? [];
    const hasData = () =>
      topics.some((topic) => topic.partitions.some((partition) => (this.logs.get(topic.name)?.[partition.index]?.nextOffset ?? 0n) > partition.offset));
    if (!hasData()) await this.nextArrival(Math.min(Math.max(maxWaitMs, 0), 1_000));
    const writer = new KafkaWriter().int32(0);
    writer.array(topics, (topicWriter, topic) => {
      topicWriter.string(topic.name);
      topicWriter.array(topic.partitions, (partitionWriter, partition) => {
        const log = this.logs.get(topic.name)?.[partition.index];
        if (!log) {
          partitionWriter.int32(partition.index).int16(KafkaErrorCode.unknownTopicOrPartition).int64(-1n).int64(-1n).int32(-1).bytes(null);
          return;
        }
        if (partition.offset < log.startOffset || partition.offset > log.nextOffset) {
          partitionWriter.int32(partition.index).int16(KafkaErrorCode.offsetOutOfRange).int64(log.nextOffset).int64(log.nextOffset).int32(-1).bytes(null);
          return;
        }
        const selected: Buffer[] = [];
        let size = 0;
        for (let index = log.first; index < log.batches.length; index++) {
          const batch = log.batches[index] as RecordBatch;
          const lastOffset = batch.baseOffset + BigInt(batch.count) - 1n;
          if (lastOffset < partition.offset) continue;
          if (size > 0 && size + batch.bytes.length > partition.maxBytes) break;
          selected.push(batch.bytes);
          size += batch.bytes.length;
        }
        partitionWriter.int32(partition.index).int16(0).int64(log.nextOffset).int64(log.nextOffset).int32(-1).bytes(Buffer.concat(selected));
      });
    });
    return writer.toBuffer();
  }
}
