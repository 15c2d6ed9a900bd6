import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import sharp from "sharp";

export interface ThumbnailerOptions {
  /** Port for the webhook endpoint; 0 picks a free one. */
  readonly port: number;
  readonly host?: string;
  /** The S3 server the images live on. */
  readonly s3: { readonly endpoint: string; readonly accessKey: string; readonly secretKey: string; readonly region?: string };
  /** Where thumbnails go: a bucket with no notification rule, so writing one never triggers another event. */
  readonly thumbnailBucket: string;
  /** Largest width and height of a thumbnail. */
  readonly maxSize: number;
  readonly log: (line: string) => void;
}

export interface Thumbnailer {
  /** The webhook endpoint to configure as the server's target. */
  readonly url: string;
  close(): Promise<void>;
}

interface WebhookBody {
  readonly EventName?: string;
  readonly Key?: string;
  readonly Records?: { eventName: string; s3: { bucket: { name: string }; object: { key: string } } }[];
}

/** Go's url.QueryUnescape: MinIO encodes the key in records for targets this way (`+` is a space). */
function queryUnescape(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    return text;
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * A webhook consumer (MinIO's thumbnailer example): for each created JPEG it downloads the object,
 * scales it to fit `maxSize`×`maxSize` with sharp, and writes it to the thumbnail bucket under the same key.
 */
export async function startThumbnailer(options: ThumbnailerOptions): Promise<Thumbnailer> {
  const s3 = new S3Client({
    endpoint: options.s3.endpoint,
    region: options.s3.region ?? "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: options.s3.accessKey, secretAccessKey: options.s3.secretKey },
  });

  async function thumbnail(bucket: string, key: string): Promise<void> {
    let original: Buffer;
    try {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (!object.Body) throw new Error(`no body for ${bucket}/${key}`);
      original = Buffer.from(await object.Body.transformToByteArray());
    } catch (error) {
      if (error instanceof NoSuchKey) {
        options.log(`skipped ${bucket}/${key}: it was deleted before it could be read`);
        return;
      }
      throw error;
    }
    let output: { data: Buffer; info: sharp.OutputInfo };
    try {
      output = await sharp(original)
        .rotate()
        .resize({ width: options.maxSize, height: options.maxSize, fit: "inside", withoutEnlargement: true })
        .jpeg({ quality: 80 })
        .toBuffer({ resolveWithObject: true });
    } catch (error) {
      options.log(`skipped ${bucket}/${key}: not a readable image (${(error as Error).message})`);
      return;
    }
    await s3.send(
      new PutObjectCommand({
        Bucket: options.thumbnailBucket,
        Key: key,
        Body: output.data,
        ContentType: "image/jpeg",
        Metadata: { source: `${bucket}/${key}` },
      }),
    );
    options.log(`thumbnail ${options.thumbnailBucket}/${key} written, ${output.info.width}x${output.info.height}`);
  }

  const server = createServer((request, response) => {
    readBody(request)
      .then(async (text) => {
        if (text.trim()) {
          const body = JSON.parse(text) as WebhookBody;
          for (const record of body.Records ?? []) {
            const bucket = record.s3.bucket.name;
            const key = queryUnescape(record.s3.object.key);
            if (!record.eventName.startsWith("s3:ObjectCreated:")) continue;
            if (bucket === options.thumbnailBucket) continue; // never thumbnail a thumbnail
            if (!/\.jpe?g$/i.test(key)) continue;
            options.log(`event ${record.eventName} ${bucket}/${key}`);
            await thumbnail(bucket, key);
          }
        }
        response.statusCode = 200;
        response.end();
      })
      .catch((error: unknown) => {
        // 503 makes the server's webhook target keep the event and retry it.
        options.log(`failed, the server will retry: ${(error as Error).message}`);
        response.statusCode = 503;
        response.end();
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? "127.0.0.1"}:${address.port}/events`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      s3.destroy();
    },
  };
}
