import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CreateBucketCommand, GetObjectCommand, PutBucketNotificationConfigurationCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { type S3NotifyServer, startS3NotifyServer } from "@s3notify/server";
import webhookTargetPlugin from "@s3notify/target-webhook";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startThumbnailer, type Thumbnailer } from "./thumbnailer.js";

const CREDENTIALS = { accessKey: "thumb-access", secretKey: "thumb-secret-000" };
const SAMPLE = fileURLToPath(new URL("../sample/myphoto.jpg", import.meta.url));
const silent = { debug() {}, info() {}, warn() {}, error() {} };

let dataDir: string;
let server: S3NotifyServer;
let thumbnailer: Thumbnailer;
let s3: S3Client;
const lines: string[] = [];
const waiters = new Set<() => void>();

function waitForLine(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const line = lines.find((candidate) => pattern.test(candidate));
      if (!line) return false;
      clearTimeout(timer);
      waiters.delete(wake);
      resolve(line);
      return true;
    };
    const wake = () => void check();
    const timer = setTimeout(() => {
      waiters.delete(wake);
      reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; got: ${lines.join(" | ")}`));
    }, timeoutMs);
    if (!check()) waiters.add(wake);
  });
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "s3notify-thumbnailer-"));
  server = await startS3NotifyServer({
    dataDir,
    address: "127.0.0.1:0",
    credentials: CREDENTIALS,
    env: {},
    plugins: [webhookTargetPlugin],
    discoverFrom: false,
    logger: silent,
  });
  thumbnailer = await startThumbnailer({
    port: 0,
    s3: { endpoint: server.url, ...CREDENTIALS },
    thumbnailBucket: "images-thumbnails",
    maxSize: 128,
    log: (line) => {
      lines.push(line);
      for (const wake of waiters) wake();
    },
  });
  await server.applyConfig(JSON.stringify({ notify: { webhook: { "1": { enable: true, endpoint: thumbnailer.url } } } }));
  s3 = new S3Client({
    endpoint: server.url,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: CREDENTIALS.accessKey, secretAccessKey: CREDENTIALS.secretKey },
  });
  await s3.send(new CreateBucketCommand({ Bucket: "images" }));
  await s3.send(new CreateBucketCommand({ Bucket: "images-thumbnails" }));
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: "images",
      NotificationConfiguration: {
        QueueConfigurations: [
          { QueueArn: "arn:minio:sqs::1:webhook", Events: ["s3:ObjectCreated:*"], Filter: { Key: { FilterRules: [{ Name: "suffix", Value: ".jpg" }] } } },
        ],
      },
    }),
  );
});

afterAll(async () => {
  s3?.destroy();
  await thumbnailer?.close();
  await server?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("thumbnailer example (s3notify server in-process, webhook target, sharp)", () => {
  it("writes a 128x96 thumbnail of an uploaded 640x480 JPEG to images-thumbnails", async () => {
    await s3.send(new PutObjectCommand({ Bucket: "images", Key: "holiday/my photo.jpg", Body: await readFile(SAMPLE), ContentType: "image/jpeg" }));
    expect(await waitForLine(/^thumbnail /)).toBe("thumbnail images-thumbnails/holiday/my photo.jpg written, 128x96");
    const thumbnail = await s3.send(new GetObjectCommand({ Bucket: "images-thumbnails", Key: "holiday/my photo.jpg" }));
    if (!thumbnail.Body) throw new Error("no thumbnail body");
    const metadata = await sharp(Buffer.from(await thumbnail.Body.transformToByteArray())).metadata();
    expect([metadata.format, metadata.width, metadata.height]).toEqual(["jpeg", 128, 96]);
    expect(thumbnail.Metadata).toEqual({ source: "images/holiday/my photo.jpg" });
  });

  it("skips what is not an image and never loops on its own output", async () => {
    await s3.send(new PutObjectCommand({ Bucket: "images", Key: "broken.jpg", Body: "not a jpeg" }));
    expect(await waitForLine(/^skipped images\/broken\.jpg/)).toContain("not a readable image");
    // The thumbnail bucket has no rule: one upload gives exactly one thumbnail line.
    expect(lines.filter((line) => line.startsWith("thumbnail ")).length).toBe(1);
  });
});
