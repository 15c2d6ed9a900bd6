import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { createNotifier, type Logger, type Notifier, type NotifyConfig, type RetryPolicy, type TargetPlugin, type TargetRegistry } from "@s3notify/core";
import { createAdminHandler } from "../admin/admin-handler.js";
import { buildRegistry, parseConfigText, redactedConfigJson } from "../admin/notify-config-state.js";
import { type Credentials, DEFAULT_CREDENTIALS } from "../auth/credentials.js";
import { HostNotifications } from "../events/host-notifications.js";
import { ListenHub } from "../events/listen-hub.js";
import { createS3Handler } from "../http/s3-handler.js";
import { FileObjectStore } from "../storage/file-object-store.js";
import { createLogger } from "./pino-logger.js";

export interface S3NotifyServerOptions {
  readonly dataDir: string;
  /** `:9000` (all interfaces), `127.0.0.1:0` (a free port), `9000`. */
  readonly address?: string;
  readonly credentials?: Credentials;
  /** Server region; "" (MinIO's default) accepts any signing region. */
  readonly region?: string;
  /** Notify configuration text: MinIO's JSON (`{"notify":{...}}`) or KV lines. */
  readonly configText?: string;
  /** Environment read for MINIO_NOTIFY_* (process.env by default). */
  readonly env?: NodeJS.ProcessEnv;
  /** Plugins registered explicitly. */
  readonly plugins?: readonly TargetPlugin[];
  /** Where to discover installed target plugins; the server package by default; false to skip. */
  readonly discoverFrom?: string | false;
  readonly logger?: Logger;
  readonly retry?: Partial<RetryPolicy>;
  /** Called with the ARNs at start and after each admin config change (the `SQS ARNs:` banner). */
  readonly onArns?: (arns: string[]) => void;
}

export interface S3NotifyServer {
  /** `http://host:port` clients should use. */
  readonly url: string;
  readonly port: number;
  readonly store: FileObjectStore;
  readonly deploymentId: string;
  readonly registry: TargetRegistry;
  notifier(): Notifier;
  config(): NotifyConfig;
  /** Validates and applies new notify configuration text (JSON or KV) live, like the admin API; returns the ARNs. */
  applyConfig(text: string): Promise<string[]>;
  /** Stop accepting, finish in-flight requests, end Listen streams, close the notifier. */
  close(): Promise<void>;
}

function parseAddress(address: string): { host: string | undefined; port: number } {
  const colon = address.lastIndexOf(":");
  const hostPart = colon >= 0 ? address.slice(0, colon) : "";
  const portPart = colon >= 0 ? address.slice(colon + 1) : address;
  if (!/^\d+$/.test(portPart)) throw new Error(`invalid --address '${address}': expected [HOST]:PORT`);
  const host = hostPart.replace(/^\[(.*)\]$/, "$1");
  return { host: host || undefined, port: Number(portPart) };
}

const CONFIG_FILE = ["config", "notify.txt"];

/** Starts the S3 host: object store, notifier, S3 API, Listen streams and the admin API. */
export async function startS3NotifyServer(options: S3NotifyServerOptions): Promise<S3NotifyServer> {
  const logger = options.logger ?? createLogger().logger;
  const env = options.env ?? process.env;
  const region = options.region ?? "";
  const credentials = options.credentials ?? DEFAULT_CREDENTIALS;
  const store = new FileObjectStore(options.dataDir);
  await store.init();
  const deploymentId = await store.deploymentId();
  const registry = await buildRegistry({
    ...(options.plugins ? { plugins: options.plugins } : {}),
    ...(options.discoverFrom !== undefined ? { discoverFrom: options.discoverFrom } : {}),
    logger,
  });

  // A config set through the admin API is kept in the data dir and wins over the start-up file.
  const storedText = await store.readSystemFile(CONFIG_FILE);
  if (storedText !== undefined && options.configText !== undefined)
    logger.warn("using the notify config saved by the admin API in the data dir instead of --config");
  let config = parseConfigText(storedText ?? options.configText ?? "", registry, env);
  const notifier = await createNotifier({
    config,
    plugins: registry.list().map((entry) => entry.plugin),
    region,
    logger,
    ...(options.retry ? { retry: options.retry } : {}),
  });

  const listen = new ListenHub();
  const notifications = new HostNotifications(store, listen, notifier, region, logger);
  await notifications.load();

  let ready = false;
  let nodeName = "";
  let originEndpoint = "";
  const applyConfig = async (text: string): Promise<string[]> => {
    const next = parseConfigText(text, registry, env);
    await notifier.reconfigure(next);
    await store.writeSystemFile(CONFIG_FILE, text, { private: true });
    config = next;
    const arns = notifier.arns();
    logger.info("notify configuration replaced", { arns });
    options.onArns?.(arns);
    return arns;
  };
  const admin = createAdminHandler({
    getConfig: () => redactedConfigJson(config, registry),
    setConfig: async (text) => ({ arns: await applyConfig(text) }),
    stats: () => notifier.stats(),
  });
  const handler = createS3Handler({
    store,
    notifications,
    listen,
    region,
    logger,
    credentials,
    deploymentId,
    originEndpoint: () => originEndpoint,
    nodeName: () => nodeName,
    admin,
    ready: () => ready,
  });

  let closing: Promise<void> | undefined;
  const sockets = new Set<Socket>();
  const busy = new WeakSet<Socket>();
  const server: Server = createServer({ keepAliveTimeout: 5000 }, (request, response) => {
    busy.add(request.socket);
    if (closing) response.setHeader("Connection", "close");
    response.once("close", () => {
      busy.delete(request.socket);
      // While draining, a connection is closed as soon as its last response is done.
      if (closing) request.socket.destroySoon();
    });
    handler(request, response).catch((error: unknown) => {
      logger.error("unhandled request failure", { error: error instanceof Error ? error.message : String(error) });
      if (!response.headersSent) response.statusCode = 500;
      response.destroy();
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  const { host, port } = parseAddress(options.address ?? ":9000");
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    await notifier.close();
    throw error;
  }
  const bound = server.address() as AddressInfo;
  const urlHost = host === undefined || host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  const url = `http://${urlHost}:${bound.port}`;
  nodeName = `${urlHost}:${bound.port}`;
  originEndpoint = env.MINIO_SERVER_URL || url;
  ready = true;
  options.onArns?.(notifier.arns());

  return {
    url,
    port: bound.port,
    store,
    deploymentId,
    registry,
    notifier: () => notifier,
    config: () => config,
    applyConfig,
    close() {
      closing ??= (async () => {
        ready = false;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        listen.closeAll();
        // Idle keep-alive connections are closed now; busy ones when their response ends.
        for (const socket of sockets) if (!busy.has(socket)) socket.destroy();
        server.closeIdleConnections();
        const forced = setTimeout(() => server.closeAllConnections(), 10_000);
        await closed;
        clearTimeout(forced);
        await notifier.close();
      })();
      return closing;
    },
  };
}
