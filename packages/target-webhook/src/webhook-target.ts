import { readFile } from "node:fs/promises";
import { type ClientRequest, Agent as HttpAgent, request as httpRequest, type IncomingMessage, STATUS_CODES } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { createConnection } from "node:net";
import type { TLSSocket } from "node:tls";
import {
  type EventRecord,
  isRetryable,
  logEnvelopeJson,
  permanentError,
  retryableError,
  type Target,
  TargetBatchError,
  type TargetCapabilities,
  type TargetContext,
  type TargetId,
} from "@s3notify/core";
import type { WebhookConfig, WebhookTargetOptions } from "./types.js";
import { authorizationHeader, redactEndpoint } from "./webhook-config.js";

class StaleConnectionError extends Error {
  constructor(cause: Error) {
    super("stale keep-alive connection", { cause });
  }
}

/** Statuses that can never succeed by retrying the same body: the event goes to the dead letters. */
export const WEBHOOK_PERMANENT_STATUSES: ReadonlySet<number> = new Set([413]);

/** Records per `send` call: MinIO posts one record per request; a batch is posted record by record on one connection. */
export const WEBHOOK_MAX_BATCH = 64;

const LIVENESS_TIMEOUT_MS = 5_000;

/**
 * POSTs each record's envelope (`{"EventName","Key","Records":[record]}`) to the endpoint, one request per record,
 * over a keep-alive connection (MinIO's `webhook.go`).
 */
export class WebhookTarget implements Target {
  readonly id: TargetId;
  readonly capabilities: TargetCapabilities = { maxBatchSize: WEBHOOK_MAX_BATCH, ordered: true };
  private readonly url: URL;
  private readonly safeEndpoint: string;
  private readonly authorization: string | undefined;
  private readonly connectTimeoutMs: number;
  private readonly tlsHandshakeTimeoutMs: number;
  private readonly responseHeaderTimeoutMs: number;
  private agent: HttpAgent | undefined;
  private opening: Promise<HttpAgent> | undefined;
  private closed = false;

  constructor(
    private readonly config: WebhookConfig,
    context: Pick<TargetContext, "targetId">,
    private readonly options: WebhookTargetOptions = {},
  ) {
    this.id = context.targetId;
    this.url = new URL(config.endpoint);
    this.safeEndpoint = redactEndpoint(config.endpoint);
    this.authorization = authorizationHeader(config.authToken);
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
    this.tlsHandshakeTimeoutMs = options.tlsHandshakeTimeoutMs ?? 10_000;
    this.responseHeaderTimeoutMs = options.responseHeaderTimeoutMs ?? 60_000;
  }

  /** Loads the mTLS files and makes the keep-alive agent; no network I/O (the endpoint may be down). */
  async open(): Promise<void> {
    await this.getAgent();
  }

  private getAgent(): Promise<HttpAgent> {
    if (this.agent) return Promise.resolve(this.agent);
    this.opening ??= this.makeAgent().then(
      (agent) => {
        this.agent = agent;
        return agent;
      },
      (error: unknown) => {
        this.opening = undefined;
        throw error;
      },
    );
    return this.opening;
  }

  private async makeAgent(): Promise<HttpAgent> {
    const common = { keepAlive: true, maxSockets: 1, timeout: this.options.idleTimeoutMs ?? 15_000, scheduling: "lifo" as const };
    if (this.url.protocol !== "https:") return new HttpAgent(common);
    let cert: Buffer | undefined;
    let key: Buffer | undefined;
    if (this.config.clientCert !== "") {
      try {
        [cert, key] = await Promise.all([readFile(this.config.clientCert), readFile(this.config.clientKey)]);
      } catch (error) {
        throw retryableError(`${this.safeEndpoint}: cannot read the client certificate or key`, error);
      }
    }
    return new HttpsAgent({
      ...common,
      ...(cert && key ? { cert, key } : {}),
      ...(this.options.ca ? { ca: this.options.ca as string | Buffer | (string | Buffer)[] } : {}),
    });
  }

  async send(batch: readonly EventRecord[]): Promise<void> {
    if (this.closed) throw retryableError(`${this.safeEndpoint}: target closed`);
    const agent = await this.getAgent();
    for (let index = 0; index < batch.length; index++) {
      const record = batch[index] as EventRecord;
      try {
        await this.post(agent, logEnvelopeJson(record));
      } catch (error) {
        if (index === 0) throw error;
        throw new TargetBatchError(`${this.safeEndpoint}: ${index} of ${batch.length} records delivered`, {
          delivered: Array.from({ length: index }, (_, delivered) => delivered),
          cause: error,
          retryable: isRetryable(error),
        });
      }
    }
  }

  /**
   * A keep-alive connection the server closed while idle fails the next request at once (ECONNRESET on a reused
   * socket). Node's documented remedy: send again once on a fresh connection.
   */
  private async post(agent: HttpAgent, body: string): Promise<void> {
    try {
      await this.postOnce(agent, body);
    } catch (error) {
      if (!(error instanceof StaleConnectionError)) throw error;
      await this.postOnce(agent, body);
    }
  }

  private postOnce(agent: HttpAgent, body: string): Promise<void> {
    const headers: Record<string, string> = {
      "Content-Type": "application/json",
      "Content-Length": String(Buffer.byteLength(body)),
      "User-Agent": "s3notify-webhook",
    };
    if (this.authorization !== undefined) headers.Authorization = this.authorization;
    const send = this.url.protocol === "https:" ? httpsRequest : httpRequest;

    return new Promise<void>((resolve, reject) => {
      let settled = false;
      let responded = false;
      const timers: NodeJS.Timeout[] = [];
      const clearTimers = (): void => {
        for (const timer of timers) clearTimeout(timer);
        timers.length = 0;
      };
      const fail = (error: Error): void => {
        if (settled) return;
        settled = true;
        clearTimers();
        reject(error);
      };
      const succeed = (): void => {
        if (settled) return;
        settled = true;
        clearTimers();
        resolve();
      };
      const request: ClientRequest = send(this.url, { method: "POST", agent, headers });
      const abortAfter = (ms: number, what: string): void => {
        timers.push(
          setTimeout(() => {
            const error = retryableError(`${this.safeEndpoint}: ${what} timed out after ${ms} ms`);
            fail(error);
            request.destroy(error);
          }, ms),
        );
      };

      request.once("socket", (socket) => {
        // A reused keep-alive socket is already connected: no connect or handshake timer.
        if (socket.connecting) {
          abortAfter(this.connectTimeoutMs, "connect");
          socket.once("connect", () => {
            clearTimers();
            if (this.url.protocol === "https:") {
              abortAfter(this.tlsHandshakeTimeoutMs, "TLS handshake");
              (socket as TLSSocket).once("secureConnect", clearTimers);
            }
          });
        }
      });
      request.once("finish", () => {
        clearTimers();
        abortAfter(this.responseHeaderTimeoutMs, "waiting for the response headers");
      });
      request.once("response", (response: IncomingMessage) => {
        responded = true;
        clearTimers();
        const status = response.statusCode ?? 0;
        // Drain the body so that the keep-alive connection can be reused.
        response.on("error", (error) => fail(retryableError(`${this.safeEndpoint}: reading the response failed: ${error.message}`, error)));
        if (status >= 200 && status <= 299) {
          response.once("end", succeed);
          response.resume();
          return;
        }
        response.resume();
        const statusText = `${status} ${response.statusMessage || STATUS_CODES[status] || ""}`.trim();
        const message =
          status === 403
            ? `${this.safeEndpoint} returned '${statusText}', please check if your auth token is correctly set`
            : `${this.safeEndpoint} returned '${statusText}', please check your endpoint configuration`;
        fail(WEBHOOK_PERMANENT_STATUSES.has(status) ? permanentError(message) : retryableError(message));
      });
      request.on("error", (error: NodeJS.ErrnoException) => {
        if (request.reusedSocket && !responded && (error.code === "ECONNRESET" || error.code === "EPIPE")) {
          fail(new StaleConnectionError(error));
          return;
        }
        // Node's message names host and port only; never the headers (no token leaks).
        fail(retryableError(`${this.safeEndpoint}: ${error.message}`, error));
      });
      request.end(body);
    });
  }

  /** MinIO's IsActive: a plain TCP dial to host:port, 5 s timeout. */
  isActive(): Promise<boolean> {
    const port = Number(this.url.port || (this.url.protocol === "https:" ? 443 : 80));
    const host = this.url.hostname.replace(/^\[(.*)\]$/, "$1");
    return new Promise((resolve) => {
      const socket = createConnection({ host, port });
      const finish = (active: boolean): void => {
        clearTimeout(timer);
        socket.destroy();
        resolve(active);
      };
      const timer = setTimeout(() => finish(false), LIVENESS_TIMEOUT_MS);
      socket.once("connect", () => finish(true));
      socket.once("error", () => finish(false));
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const agent = this.agent ?? (this.opening ? await this.opening.catch(() => undefined) : undefined);
    agent?.destroy();
    this.agent = undefined;
    this.opening = undefined;
  }
}
