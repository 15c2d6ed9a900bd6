#!/usr/bin/env node
import { startThumbnailer } from "./thumbnailer.js";

// The AWS SDK warns on every start that future releases need Node 22; this demo pins a release that runs on Node 20.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const text = typeof warning === "string" ? warning : warning.message;
  if (
    text.includes("NodeVersionSupportWarning") ||
    (rest[0] as { type?: string } | string | undefined) === "NodeVersionSupportWarning" ||
    text.includes("will require node >=22")
  )
    return;
  (emitWarning as (...args: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;

const env = process.env;
const thumbnailer = await startThumbnailer({
  port: Number(env.THUMBNAILER_PORT ?? "9100"),
  host: env.THUMBNAILER_HOST ?? "127.0.0.1",
  s3: {
    endpoint: env.S3_ENDPOINT ?? "http://127.0.0.1:9000",
    accessKey: env.S3_ACCESS_KEY ?? env.MINIO_ROOT_USER ?? "minioadmin",
    secretKey: env.S3_SECRET_KEY ?? env.MINIO_ROOT_PASSWORD ?? "minioadmin",
  },
  thumbnailBucket: env.THUMBNAIL_BUCKET ?? "images-thumbnails",
  maxSize: Number(env.THUMBNAIL_SIZE ?? "128"),
  log: (line) => process.stdout.write(`[thumbnailer] ${line}\n`),
});
process.stdout.write(`[thumbnailer] listening for webhook events on ${thumbnailer.url}\n`);
const stop = () => {
  thumbnailer.close().finally(() => process.exit(0));
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
