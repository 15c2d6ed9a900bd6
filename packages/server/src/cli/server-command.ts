import { resolve } from "node:path";
import type { Command } from "commander";
import { readConfigFile } from "../admin/notify-config-state.js";
import { resolveCredentials } from "../auth/credentials.js";
import { createLogger } from "../server/pino-logger.js";
import { startS3NotifyServer } from "../server/s3notify-server.js";

export interface ServerCommandOptions {
  readonly address: string;
  readonly config?: string;
  readonly accessKey?: string;
  readonly secretKey?: string;
  readonly region?: string;
}

/** `s3notify server DIR`: runs until SIGTERM/SIGINT, then drains and exits. */
export async function runServer(dataDir: string, options: ServerCommandOptions, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  const { credentials, source } = resolveCredentials(
    { ...(options.accessKey ? { accessKey: options.accessKey } : {}), ...(options.secretKey ? { secretKey: options.secretKey } : {}) },
    process.env,
  );
  const { logger } = createLogger();
  const configText = options.config ? await readConfigFile(resolve(options.config)) : undefined;
  let started = false;
  const server = await startS3NotifyServer({
    dataDir: resolve(dataDir),
    address: options.address,
    credentials,
    region: options.region ?? process.env.MINIO_REGION ?? process.env.MINIO_SITE_REGION ?? "",
    ...(configText !== undefined ? { configText } : {}),
    logger,
    onArns: (arns) => {
      if (started && arns.length > 0) out.write(`SQS ARNs: ${arns.map((arn) => `${arn} `).join("")}\n`);
    },
  });
  const sourceText = { flags: "--access-key/--secret-key", environment: "MINIO_ROOT_USER/MINIO_ROOT_PASSWORD", defaults: "built-in defaults" }[source];
  out.write(`S3-API: ${server.url}\n`);
  out.write(`RootUser: ${credentials.accessKey} (credentials from ${sourceText})\n`);
  out.write(`Data: ${server.store.dataDir}\n`);
  const arns = server.notifier().arns();
  if (arns.length > 0) out.write(`SQS ARNs: ${arns.map((arn) => `${arn} `).join("")}\n`);
  started = true;
  if (source === "defaults") {
    out.write(
      "WARNING: Detected default credentials 'minioadmin:minioadmin', we recommend that you change these values with 'MINIO_ROOT_USER' and 'MINIO_ROOT_PASSWORD' environment variables\n",
    );
  }
  await new Promise<void>((resolveStop) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info("shutting down", { signal });
      server
        .close()
        .then(() => {
          logger.info("stopped");
          resolveStop();
        })
        .catch((error: unknown) => {
          logger.error("shutdown failed", { error: error instanceof Error ? error.message : String(error) });
          resolveStop();
        });
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
}

export function registerServerCommand(program: Command): void {
  program
    .command("server")
    .description("run the S3 server with bucket notifications, storing objects under DIR")
    .argument("<DIR>", "data directory (created if missing)")
    .option("--address <[HOST]:PORT>", "listen address", ":9000")
    .option("--config <FILE>", 'notify configuration: MinIO JSON ({"notify":{...}}) or KV lines')
    .option("--access-key <KEY>", "root access key (default: MINIO_ROOT_USER or minioadmin)")
    .option("--secret-key <SECRET>", "root secret key (default: MINIO_ROOT_PASSWORD or minioadmin)")
    .option("--region <REGION>", "server region (default: MINIO_REGION or none)")
    .addHelpText(
      "after",
      "\nTargets also come from MINIO_NOTIFY_* environment variables, e.g.\n  MINIO_NOTIFY_WEBHOOK_ENABLE_1=on MINIO_NOTIFY_WEBHOOK_ENDPOINT_1=http://localhost:3000/events",
    )
    .action(async (dataDir: string, options: ServerCommandOptions) => {
      await runServer(dataDir, options);
    });
}
