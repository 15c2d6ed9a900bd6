import { createServer as createHttpServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer, type ServerOptions as HttpsServerOptions } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { TLSSocket } from "node:tls";

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** Remote port of the connection: equal ports mean a reused keep-alive connection. */
  readonly remotePort: number;
  /** The client certificate's subject CN under mTLS. */
  readonly clientCommonName?: string;
}

/** Decides the answer; default 200; 0 hangs up without answering. May return a promise to stall. */
export type Responder = (request: RecordedRequest) => number | Promise<number>;

/** A real HTTP(S) server on loopback that records what arrives (accepted or not). */
export class HttpRecorder {
  readonly requests: RecordedRequest[] = [];
  /** Only the requests answered 2xx, in arrival order. */
  readonly accepted: RecordedRequest[] = [];
  responder: Responder = () => 200;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private waiters: Array<() => void> = [];
  port = 0;

  constructor(private readonly tls?: HttpsServerOptions) {}

  get url(): string {
    return `${this.tls ? "https" : "http"}://127.0.0.1:${this.port}/events?source=test`;
  }

  async start(): Promise<void> {
    const handler = (request: IncomingMessage, response: ServerResponse): void => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const socket = request.socket as TLSSocket;
        const peer = typeof socket.getPeerCertificate === "function" ? socket.getPeerCertificate() : undefined;
        const recorded: RecordedRequest = {
          method: request.method ?? "",
          url: request.url ?? "",
          headers: request.headers,
          body: Buffer.concat(chunks),
          remotePort: request.socket.remotePort ?? 0,
          ...(peer && typeof peer.subject?.CN === "string" ? { clientCommonName: peer.subject.CN } : {}),
        };
        this.requests.push(recorded);
        void Promise.resolve(this.responder(recorded)).then((status) => {
          if (status === 0) {
            // Hang up without an answer, like a server closing an idle keep-alive connection.
            request.socket.destroy();
            return;
          }
          if (status >= 200 && status <= 299) this.accepted.push(recorded);
          if (!response.destroyed) response.writeHead(status, { "Content-Type": "text/plain" }).end("answer body");
          this.wake();
        });
      });
    };
    const server = this.tls ? createHttpsServer(this.tls, handler) : createHttpServer(handler);
    server.on("connection", (socket: Socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    server.on("secureConnection", (socket: Socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Close the listener and every open connection: the endpoint is down (same port on the next start). */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }

  /** Resolves when `condition()` holds, rejects after `timeoutMs`. */
  async waitFor(condition: () => boolean, timeoutMs = 20_000, what = "condition"): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${this.requests.length} requests, ${this.accepted.length} accepted)`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 250));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}
