import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import webhookTargetPlugin from "@s3notify/target-webhook";
import * as Minio from "minio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sendRaw, signedRequest } from "../testing/signed-request.js";
import { startWebhookReceiver } from "../testing/webhook-receiver.js";
import { type S3NotifyServer, startS3NotifyServer } from "./s3notify-server.js";

const CREDENTIALS = { accessKey: "minio-js-access", secretKey: "minio-js-secret-0" };
const silent = { debug() {}, info() {}, warn() {}, error() {} };

let dataDir: string;
let server: S3NotifyServer;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let client: Minio.Client;

async function collect<T>(stream: NodeJS.ReadableStream): Promise<T[]> {
  const items: T[] = [];
  for await (const item of stream) items.push(item as T);
  return items;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "s3notify-minio-"));
  receiver = await startWebhookReceiver();
  server = await startS3NotifyServer({
    dataDir,
    address: "127.0.0.1:0",
    credentials: CREDENTIALS,
    configText: `notify_webhook:primary endpoint="${receiver.url}"`,
    env: {},
    plugins: [webhookTargetPlugin],
    discoverFrom: false,
    logger: silent,
  });
  const url = new URL(server.url);
  client = new Minio.Client({
    endPoint: url.hostname,
    port: Number(url.port),
    useSSL: false,
    accessKey: CREDENTIALS.accessKey,
    secretKey: CREDENTIALS.secretKey,
    pathStyle: true,
    partSize: 5 * 1024 * 1024,
  });
});

afterAll(async () => {
  await server?.close();
  await receiver?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("minio 8 client against a real server (KV config, webhook target `primary`)", () => {
  it("sets bucket notifications with the client's NotificationConfig and reads them back", async () => {
    await client.makeBucket("media");
    expect(await client.bucketExists("media")).toBe(true);
    expect(await client.bucketExists("absent-bucket")).toBe(false);
    const config = new Minio.NotificationConfig();
    const queue = new Minio.QueueConfig("arn:minio:sqs::primary:webhook");
    queue.addEvent(Minio.ObjectCreatedAll);
    queue.addEvent(Minio.ObjectRemovedAll);
    config.add(queue);
    await client.setBucketNotification("media", config);
    const stored = (await client.getBucketNotification("media")) as { QueueConfiguration: { Queue: string; Event: string[] }[] };
    expect(stored.QueueConfiguration[0]).toMatchObject({ Queue: "arn:minio:sqs::primary:webhook", Event: ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"] });
  });

  it("drives put (single and multipart), stat, partial get, copy, list v1/v2, tagging and removal, with the matching events", async () => {
    const small = Buffer.from("small object");
    await client.putObject("media", "a/small.txt", small, small.length, { "Content-Type": "text/plain", "X-Amz-Meta-Owner": "me" });
    const big = Buffer.alloc(6 * 1024 * 1024, 7);
    await client.putObject("media", "a/big.bin", big, big.length);
    const stat = await client.statObject("media", "a/big.bin");
    expect(stat.size).toBe(big.length);
    expect(stat.etag).toMatch(/^[0-9a-f]{32}-\d+$/);
    const smallStat = await client.statObject("media", "a/small.txt");
    expect(smallStat.metaData).toMatchObject({ "content-type": "text/plain", owner: "me" });
    const partial = await collect<Buffer>(await client.getPartialObject("media", "a/small.txt", 6, 6));
    expect(Buffer.concat(partial).toString()).toBe("object");
    await client.copyObject("media", "b/copy.txt", "/media/a/small.txt", new Minio.CopyConditions());
    const v2 = await collect<{ name?: string; prefix?: string }>(client.listObjectsV2("media", "", true));
    expect(v2.map((item) => item.name)).toEqual(["a/big.bin", "a/small.txt", "b/copy.txt"]);
    const v1 = await collect<{ name?: string; prefix?: string }>(client.listObjects("media", "", false));
    expect(v1.map((item) => item.prefix)).toEqual(["a/", "b/"]);
    await client.setObjectTagging("media", "b/copy.txt", { color: "red" });
    expect(await client.getObjectTagging("media", "b/copy.txt")).toEqual([{ Key: "color", Value: "red" }]);
    // minio 8 types want removeOpts; at run time it is optional.
    await (client.removeObjectTagging as (bucket: string, object: string) => Promise<void>).call(client, "media", "b/copy.txt");
    await client.removeObject("media", "b/copy.txt");
    await client.removeObjects("media", ["a/small.txt", "a/big.bin"]);

    const expected = [
      ["s3:ObjectCreated:Put", "media/a/small.txt"],
      ["s3:ObjectCreated:CompleteMultipartUpload", "media/a/big.bin"],
      ["s3:ObjectCreated:Copy", "media/b/copy.txt"],
      ["s3:ObjectCreated:PutTagging", "media/b/copy.txt"],
      ["s3:ObjectCreated:DeleteTagging", "media/b/copy.txt"],
      ["s3:ObjectRemoved:Delete", "media/b/copy.txt"],
      ["s3:ObjectRemoved:Delete", "media/a/small.txt"],
      ["s3:ObjectRemoved:Delete", "media/a/big.bin"],
    ];
    await receiver.waitFor((events) => events.length >= expected.length);
    expect(receiver.events.map((event) => [event.EventName, event.Key])).toEqual(expected);
    const [put] = receiver.events[0]?.Records ?? [];
    if (!put) throw new Error("no Put event");
    expect(put.s3.object).toMatchObject({
      key: "a%2Fsmall.txt",
      size: small.length,
      eTag: createHash("md5").update(small).digest("hex"),
      contentType: "text/plain",
      userMetadata: { "X-Amz-Meta-Owner": "me", "content-type": "text/plain" },
    });
    expect(put.source.userAgent).toMatch(/^MinIO \(/);
    await client.removeBucket("media");
    expect(await client.bucketExists("media")).toBe(false);
  });

  it("uploads through a presigned PUT URL", async () => {
    await client.makeBucket("drop");
    const url = await client.presignedPutObject("drop", "upload.txt", 60);
    const response = await fetch(url, { method: "PUT", body: "via presigned url" });
    expect(response.status).toBe(200);
    const body = Buffer.concat(await collect<Buffer>(await client.getObject("drop", "upload.txt"))).toString();
    expect(body).toBe("via presigned url");
  });

  it("serves health checks without auth and refuses the admin API without a signature", async () => {
    expect((await fetch(`${server.url}/minio/health/live`)).status).toBe(200);
    expect((await fetch(`${server.url}/minio/health/ready`)).status).toBe(200);
    const anonymous = await sendRaw(server.url, "GET", "/s3notify/admin/config", {});
    expect(anonymous.status).toBe(403);
    const signed = await signedRequest({ url: server.url, method: "GET", path: "/s3notify/admin/config", credentials: CREDENTIALS });
    expect(JSON.parse(signed.body).notify.webhook.primary.endpoint).toBe(receiver.url);
  });

  it('Listen with ping=1 sends {"Records":null} lines and validates its parameters', async () => {
    await client.makeBucket("pinged");
    const url = new URL(server.url);
    const { signer } = await import("../testing/signed-request.js");
    const { HttpRequest } = await import("@smithy/protocol-http");
    const open = async (query: Record<string, string>) => {
      const request = new HttpRequest({
        method: "GET",
        protocol: "http:",
        hostname: url.hostname,
        port: Number(url.port),
        path: "/pinged",
        query,
        headers: { host: url.host, "x-amz-content-sha256": createHash("sha256").update("").digest("hex") },
      });
      const signed = await signer(CREDENTIALS).sign(request);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(signed.headers)) if (name !== "host") headers[name] = String(value);
      const controller = new AbortController();
      const response = await fetch(`${server.url}/pinged?${new URLSearchParams(query)}`, { headers, signal: controller.signal });
      return { response, controller };
    };
    const bad = await open({ events: "s3:ObjectCreated:*", ping: "0" });
    expect(bad.response.status).toBe(400);
    expect(await bad.response.text()).toContain("<Code>AuthorizationQueryParametersError</Code>");
    const badEvent = await open({ events: "s3:Scanner:*" });
    expect(await badEvent.response.text()).toContain("<Code>InvalidArgument</Code>");
    const { response, controller } = await open({ events: "s3:ObjectCreated:*", ping: "1" });
    expect(response.status).toBe(200);
    if (!response.body) throw new Error("no Listen stream");
    const reader = response.body.getReader();
    let text = "";
    const deadline = Date.now() + 5000;
    while (!text.includes('{"Records":null}\n') && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString();
    }
    controller.abort();
    expect(text).toBe('{"Records":null}\n');
  });

  it("global Listen (GET /?events=) streams bucket events, with a space keep-alive when no ping is asked", async () => {
    const controller = new AbortController();
    const { signer } = await import("../testing/signed-request.js");
    const { HttpRequest } = await import("@smithy/protocol-http");
    const url = new URL(server.url);
    const request = new HttpRequest({
      method: "GET",
      protocol: "http:",
      hostname: url.hostname,
      port: Number(url.port),
      path: "/",
      query: { events: "s3:BucketCreated:*" },
      headers: { host: url.host, "x-amz-content-sha256": createHash("sha256").update("").digest("hex") },
    });
    const signed = await signer(CREDENTIALS).sign(request);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(signed.headers)) if (name !== "host") headers[name] = String(value);
    const response = await fetch(`${server.url}/?events=${encodeURIComponent("s3:BucketCreated:*")}`, { headers, signal: controller.signal });
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    if (!response.body) throw new Error("no Listen stream");
    const reader = response.body.getReader();
    let text = "";
    await client.makeBucket("heard-bucket");
    const deadline = Date.now() + 10_000;
    while (!(text.includes("heard-bucket") && /(^|\n) /.test(text)) && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString();
      if (!text.includes("heard-bucket")) await client.makeBucket(`heard-${Date.now()}`).catch(() => undefined);
    }
    controller.abort();
    const line = text.split("\n").find((candidate) => candidate.includes("heard-bucket")) ?? "";
    expect(text).toMatch(/(^|\n) /);
    const record = JSON.parse(line.trim()).Records[0];
    expect(record).toMatchObject({ eventName: "s3:BucketCreated:*", s3: { bucket: { name: "heard-bucket" }, object: { key: "" } } });
  });
});
