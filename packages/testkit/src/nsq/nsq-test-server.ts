import { once } from "node:events";
import net from "node:net";
import tls from "node:tls";

/** One message as the test nsqd stored it. */
export interface NsqTestMessage {
  readonly topic: string;
  readonly body: string;
  /** Milliseconds asked for by DPUB, 0 for PUB/MPUB. */
  readonly deferMs: number;
}

export interface NsqTestServerOptions {
  readonly port?: number;
  /** Offer TLS upgrade (IDENTIFY tls_v1) with these server options. */
  readonly tls?: tls.TlsOptions;
  /** nsqd's --max-msg-size (default 1 MiB). */
  readonly maxMessageBytes?: number;
}

const FRAME_RESPONSE = 0;
const FRAME_ERROR = 1;
const MAGIC = "  V2";
const TOPIC_NAME = /^[.a-zA-Z0-9_-]+(#ephemeral)?$/;

/**
 * An nsqd that speaks the TCP protocol a producer uses: magic, IDENTIFY (with
 * feature negotiation and the TLS upgrade), PUB, MPUB, DPUB, NOP and CLS, with
 * nsqd's response and error frames. It records every message it accepted and
 * can be told to fail or vanish.
 */
export class NsqTestServer {
  private readonly stored: NsqTestMessage[] = [];
  private readonly sockets = new Set<net.Socket>();
  private server: net.Server | undefined;
  private listenPort: number;
  private failures = { remaining: 0, error: "E_PUB_FAILED" };
  /** Commands received, in order (`IDENTIFY`, `PUB`, ...). */
  readonly commands: string[] = [];

  private constructor(private readonly options: NsqTestServerOptions) {
    this.listenPort = options.port ?? 0;
  }

  static async start(options: NsqTestServerOptions = {}): Promise<NsqTestServer> {
    const server = new NsqTestServer(options);
    await server.start();
    return server;
  }

  get port(): number {
    return this.listenPort;
  }

  /** `127.0.0.1:<port>`, MinIO's `nsqd_address`. */
  get address(): string {
    return `127.0.0.1:${this.listenPort}`;
  }

  async start(): Promise<void> {
    if (this.server) return;
    const server = net.createServer((socket) => this.accept(socket));
    server.listen(this.listenPort, "127.0.0.1");
    await once(server, "listening");
    this.listenPort = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  /** Close the listener and every connection; stored messages are kept. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async close(): Promise<void> {
    await this.stop();
  }

  /** Answer the next `count` publish commands with an error frame (`E_PUB_FAILED` is non-fatal in nsqd). */
  failNext(count: number, error = "E_PUB_FAILED"): void {
    this.failures = { remaining: count, error };
  }

  messages(topic?: string): NsqTestMessage[] {
    return topic === undefined ? [...this.stored] : this.stored.filter((message) => message.topic === topic);
  }

  async waitForMessages(topic: string, count: number, timeoutMs = 10_000): Promise<NsqTestMessage[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const messages = this.messages(topic);
      if (messages.length >= count) return messages;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} messages on ${topic}: have ${messages.length}`);
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  private accept(rawSocket: net.Socket): void {
    let socket: net.Socket = rawSocket;
    this.sockets.add(socket);
    socket.setNoDelay(true);
    let buffer: Buffer = Buffer.alloc(0);
    let magicSeen = false;
    let upgrading = false;

    const write = (type: number, data: string | Buffer) => {
      const payload = typeof data === "string" ? Buffer.from(data) : data;
      const header = Buffer.alloc(8);
      header.writeInt32BE(payload.length + 4, 0);
      header.writeInt32BE(type, 4);
      if (!socket.destroyed) socket.write(Buffer.concat([header, payload]));
    };
    const fatal = (message: string) => {
      write(FRAME_ERROR, message);
      socket.end();
    };

    const onData = (data: Buffer) => {
      buffer = buffer.length === 0 ? data : Buffer.concat([buffer, data]);
      if (!magicSeen) {
        if (buffer.length < 4) return;
        if (buffer.subarray(0, 4).toString() !== MAGIC) return fatal("E_BAD_PROTOCOL unsupported protocol version");
        magicSeen = true;
        buffer = buffer.subarray(4);
      }
      while (!upgrading) {
        const consumed = this.command(buffer, write, fatal, () => {
          upgrading = true;
        });
        if (consumed === 0) break;
        buffer = buffer.subarray(consumed);
        if (upgrading) {
          // IDENTIFY answered tls_v1: the same socket turns into TLS, then nsqd says OK over it.
          rawSocket.removeListener("data", onData);
          const secure = new tls.TLSSocket(rawSocket, { isServer: true, ...this.options.tls });
          this.sockets.add(secure);
          secure.on("error", () => secure.destroy());
          secure.on("close", () => this.sockets.delete(secure));
          socket = secure;
          buffer = Buffer.alloc(0);
          secure.on("data", onData);
          write(FRAME_RESPONSE, "OK");
          upgrading = false;
          break;
        }
      }
    };
    rawSocket.on("data", onData);
    rawSocket.on("error", () => rawSocket.destroy());
    rawSocket.on("close", () => this.sockets.delete(rawSocket));
  }

  /** Handles one command at the head of `buffer`; returns the bytes consumed (0 when incomplete). */
  private command(buffer: Buffer, write: (type: number, data: string | Buffer) => void, fatal: (message: string) => void, upgrade: () => void): number {
    const newline = buffer.indexOf(0x0a);
    if (newline < 0) return 0;
    const [name = "", ...params] = buffer.subarray(0, newline).toString().trim().split(" ");
    const bodyStart = newline + 1;
    const withBody = (handle: (body: Buffer) => void): number => {
      if (buffer.length < bodyStart + 4) return 0;
      const size = buffer.readInt32BE(bodyStart);
      if (buffer.length < bodyStart + 4 + size) return 0;
      handle(buffer.subarray(bodyStart + 4, bodyStart + 4 + size));
      return bodyStart + 4 + size;
    };
    switch (name) {
      case "IDENTIFY":
        return withBody((body) => {
          this.commands.push(name);
          const identify = JSON.parse(body.toString()) as { feature_negotiation?: boolean; tls_v1?: boolean };
          const tlsOn = identify.tls_v1 === true && this.options.tls !== undefined;
          if (!identify.feature_negotiation) {
            write(FRAME_RESPONSE, "OK");
            return;
          }
          write(
            FRAME_RESPONSE,
            JSON.stringify({
              max_rdy_count: 2500,
              version: "1.3.0",
              max_msg_timeout: 900000,
              msg_timeout: 60000,
              tls_v1: tlsOn,
              deflate: false,
              deflate_level: 6,
              max_deflate_level: 6,
              snappy: false,
              sample_rate: 0,
              auth_required: false,
              output_buffer_size: 16384,
              output_buffer_timeout: 250,
            }),
          );
          if (tlsOn) upgrade();
        });
      case "PUB":
      case "DPUB":
        return withBody((body) => {
          this.commands.push(name);
          const topic = params[0] ?? "";
          if (!TOPIC_NAME.test(topic) || topic.length > 64) return fatal(`E_BAD_TOPIC ${name} topic name "${topic}" is not valid`);
          if (body.length > (this.options.maxMessageBytes ?? 1024 * 1024))
            return fatal(`E_BAD_MESSAGE ${name} message too big ${body.length} > ${this.options.maxMessageBytes ?? 1024 * 1024}`);
          if (this.consumeFailure(write)) return;
          this.stored.push({ topic, body: body.toString(), deferMs: name === "DPUB" ? Number(params[1] ?? 0) : 0 });
          write(FRAME_RESPONSE, "OK");
        });
      case "MPUB":
        return withBody((body) => {
          this.commands.push(name);
          const topic = params[0] ?? "";
          if (!TOPIC_NAME.test(topic) || topic.length > 64) return fatal(`E_BAD_TOPIC MPUB topic name "${topic}" is not valid`);
          const count = body.readInt32BE(0);
          const messages: string[] = [];
          let position = 4;
          for (let index = 0; index < count; index++) {
            const size = body.readInt32BE(position);
            messages.push(body.subarray(position + 4, position + 4 + size).toString());
            position += 4 + size;
          }
          if (this.consumeFailure(write)) return;
          for (const message of messages) this.stored.push({ topic, body: message, deferMs: 0 });
          write(FRAME_RESPONSE, "OK");
        });
      case "NOP":
        this.commands.push(name);
        return bodyStart;
      case "CLS":
        this.commands.push(name);
        write(FRAME_RESPONSE, "CLOSE_WAIT");
        return bodyStart;
      default:
        fatal(`E_INVALID invalid command ${name}`);
        return buffer.length;
    }
  }

  private consumeFailure(write: (type: number, data: string) => void): boolean {
    if (this.failures.remaining <= 0) return false;
    this.failures.remaining--;
    write(FRAME_ERROR, `${this.failures.error} injected failure`);
    return true;
  }
}
