import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectTaggingCommand,
  GetBucketNotificationConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import type { EventRecord } from "@s3notify/core";
import webhookTargetPlugin from "@s3notify/target-webhook";
import * as Minio from "minio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ReceivedEvent, startWebhookReceiver } from "../testing/webhook-receiver.js";
import { type S3NotifyServer, startS3NotifyServer } from "./s3notify-server.js";

const CREDENTIALS = { accessKey: "e2e-access", secretKey: "e2e-secret-key-000" };
const ARN = "arn:minio:sqs::1:webhook";
const silent = { debug() {}, info() {}, warn() {}, error() {} };

let dataDir: string;
let server: S3NotifyServer;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let s3: S3Client;
let minio: Minio.Client;
const bannerArns: string[][] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "s3notify-e2e-"));
  receiver = await startWebhookReceiver();
  server = await startS3NotifyServer({
    dataDir,
    address: "127.0.0.1:0",
    credentials: CREDENTIALS,
    configText: JSON.stringify({ notify: { webhook: { "1": { enable: true, endpoint: receiver.url } } } }),
    env: {},
    plugins: [webhookTargetPlugin],
    discoverFrom: false,
    logger: silent,
    onArns: (arns) => bannerArns.push(arns),
  });
  s3 = new S3Client({
    endpoint: server.url,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: CREDENTIALS.accessKey, secretAccessKey: CREDENTIALS.secretKey },
  });
  const url = new URL(server.url);
  minio = new Minio.Client({
    endPoint: url.hostname,
    port: Number(url.port),
    useSSL: false,
    accessKey: CREDENTIALS.accessKey,
    secretKey: CREDENTIALS.secretKey,
    pathStyle: true,
    region: "us-east-1",
  });
});

afterAll(async () => {
  s3?.destroy();
  await server?.close();
  await receiver?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

function names(events: ReceivedEvent[]): string[] {
  return events.map((event) => event.EventName);
}

describe("a real server (webhook target from @s3notify/target-webhook, node:http receiver, @aws-sdk/client-s3 and minio clients)", () => {
  it("prints the SQS ARN of the configured webhook", () => {
    expect(bannerArns[0]).toEqual([ARN]);
  });

  it("stores a notification configuration, refuses an unknown ARN, and renders it back", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "images" }));
    await expect(
      s3.send(
        new PutBucketNotificationConfigurationCommand({
          Bucket: "images",
          NotificationConfiguration: { QueueConfigurations: [{ QueueArn: "arn:minio:sqs::9:webhook", Events: ["s3:ObjectCreated:*"] }] },
        }),
      ),
    ).rejects.toMatchObject({ name: "InvalidArgument" });
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: "images",
        NotificationConfiguration: {
          QueueConfigurations: [
            {
              Id: "all",
              QueueArn: ARN,
              Events: ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"],
              Filter: { Key: { FilterRules: [{ Name: "prefix", Value: "photos/" }] } },
            },
          ],
        },
      }),
    );
    const rendered = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: "images" }));
    expect(rendered.QueueConfigurations).toEqual([
      {
        Id: "all",
        QueueArn: ARN,
        Events: ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"],
        Filter: { Key: { FilterRules: [{ Name: "prefix", Value: "photos/" }] } },
      },
    ]);
  });

  it("delivers Put, Copy, CompleteMultipartUpload, PutTagging, DeleteTagging and Delete with MinIO's payload", async () => {
    await s3.send(
      new PutObjectCommand({
        Bucket: "images",
        Key: "photos/summer trip/img 01.jpg",
        Body: "jpeg bytes",
        ContentType: "image/jpeg",
        Metadata: { camera: "x100v" },
      }),
    );
    await s3.send(new PutObjectCommand({ Bucket: "images", Key: "outside/ignored.jpg", Body: "x" }));
    await s3.send(new CopyObjectCommand({ Bucket: "images", Key: "photos/copy.jpg", CopySource: "images/photos/summer%20trip/img%2001.jpg" }));
    const upload = await s3.send(new CreateMultipartUploadCommand({ Bucket: "images", Key: "photos/big.bin" }));
    const part = await s3.send(new UploadPartCommand({ Bucket: "images", Key: "photos/big.bin", UploadId: upload.UploadId, PartNumber: 1, Body: "only part" }));
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: "images",
        Key: "photos/big.bin",
        UploadId: upload.UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );
    await s3.send(new PutObjectTaggingCommand({ Bucket: "images", Key: "photos/copy.jpg", Tagging: { TagSet: [{ Key: "a", Value: "b" }] } }));
    await s3.send(new DeleteObjectTaggingCommand({ Bucket: "images", Key: "photos/copy.jpg" }));
    await s3.send(new DeleteObjectCommand({ Bucket: "images", Key: "photos/copy.jpg" }));

    const expected = [
      "s3:ObjectCreated:Put",
      "s3:ObjectCreated:Copy",
      "s3:ObjectCreated:CompleteMultipartUpload",
      "s3:ObjectCreated:PutTagging",
      "s3:ObjectCreated:DeleteTagging",
      "s3:ObjectRemoved:Delete",
    ];
    await receiver.waitFor((events) => events.length >= expected.length);
    expect(names(receiver.events)).toEqual(expected);

    const put = receiver.events[0];
    if (!put) throw new Error("no Put event");
    expect(put.Key).toBe("images/photos/summer trip/img 01.jpg");
    const record = put.Records[0];
    expect(record.eventVersion).toBe("2.0");
    expect(record.eventSource).toBe("minio:s3");
    expect(record.awsRegion).toBe("");
    expect(record.eventTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(record.userIdentity).toEqual({ principalId: CREDENTIALS.accessKey });
    expect(record.requestParameters).toEqual({ principalId: CREDENTIALS.accessKey, region: "", sourceIPAddress: "127.0.0.1" });
    expect(Object.keys(record.responseElements)).toEqual(["x-amz-id-2", "x-amz-request-id", "x-minio-deployment-id", "x-minio-origin-endpoint"]);
    expect(record.responseElements["x-amz-request-id"]).toMatch(/^[0-9A-F]+$/);
    expect(record.responseElements["x-amz-id-2"]).toBe(createHash("sha256").update(new URL(server.url).host).digest("hex"));
    expect(record.responseElements["x-minio-deployment-id"]).toBe(server.deploymentId);
    expect(record.responseElements["x-minio-origin-endpoint"]).toBe(server.url);
    expect(record.s3.bucket).toEqual({ name: "images", ownerIdentity: { principalId: CREDENTIALS.accessKey }, arn: "arn:aws:s3:::images" });
    expect(record.s3.object).toMatchObject({
      key: "photos%2Fsummer+trip%2Fimg+01.jpg",
      size: 10,
      eTag: createHash("md5").update("jpeg bytes").digest("hex"),
      contentType: "image/jpeg",
      userMetadata: { "X-Amz-Meta-Camera": "x100v", "content-type": "image/jpeg" },
    });
    expect(record.s3.object.sequencer).toMatch(/^[0-9A-F]+$/);
    expect(record.source).toMatchObject({ host: "127.0.0.1", port: "" });
    expect(record.source.userAgent).toContain("aws-sdk-js");

    const [multipart] = receiver.events[2]?.Records ?? [];
    if (!multipart) throw new Error("no CompleteMultipartUpload event");
    expect(multipart.s3.object.eTag).toMatch(/^[0-9a-f]{32}-1$/);
    const [removed] = receiver.events[5]?.Records ?? [];
    if (!removed) throw new Error("no Delete event");
    expect(Object.keys(removed.s3.object)).toEqual(["key", "sequencer"]);
  });

  it("refused requests emit nothing", async () => {
    const before = receiver.events.length;
    const wrong = new S3Client({
      endpoint: server.url,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: CREDENTIALS.accessKey, secretAccessKey: "not-the-secret" },
    });
    await expect(wrong.send(new PutObjectCommand({ Bucket: "images", Key: "photos/evil.jpg", Body: "x" }))).rejects.toMatchObject({
      name: "SignatureDoesNotMatch",
    });
    wrong.destroy();
    await s3.send(new PutObjectCommand({ Bucket: "images", Key: "photos/marker.jpg", Body: "m" }));
    await receiver.waitFor((events) => events.length > before);
    expect(receiver.events.slice(before).map((event) => event.Key)).toEqual(["images/photos/marker.jpg"]);
  });

  it("minio client: put, stat, presigned get, and listenBucketNotification receives raw keys", async () => {
    await minio.makeBucket("listened");
    const listener = minio.listenBucketNotification("listened", "docs/", ".txt", ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]);
    const seen: EventRecord[] = [];
    listener.on("notification", (record: unknown) => seen.push(record as EventRecord));
    try {
      // The listener connects asynchronously: upload until the first event shows up.
      const deadline = Date.now() + 10_000;
      let attempt = 0;
      while (seen.length === 0 && Date.now() < deadline) {
        await minio.putObject("listened", `docs/first ${attempt++}.txt`, Buffer.from("hello"));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(seen.length).toBeGreaterThan(0);
      expect(seen[0]?.eventName).toBe("s3:ObjectCreated:Put");
      expect(seen[0]?.s3.object.key).toMatch(/^docs\/first \d+\.txt$/);
      await minio.putObject("listened", "docs/skip.bin", Buffer.from("no"));
      await minio.removeObject("listened", "docs/first 0.txt");
      const removedDeadline = Date.now() + 10_000;
      while (!seen.some((event) => event.eventName === "s3:ObjectRemoved:Delete") && Date.now() < removedDeadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(seen.map((event) => event.s3.object.key)).not.toContain("docs/skip.bin");
      expect(seen.at(-1)).toMatchObject({ eventName: "s3:ObjectRemoved:Delete", s3: { object: { key: "docs/first 0.txt" } } });
    } finally {
      listener.stop();
    }
    const stat = await minio.statObject("listened", "docs/skip.bin");
    expect(stat.size).toBe(2);
    const presigned = await minio.presignedGetObject("listened", "docs/skip.bin", 60);
    const fetched = await fetch(presigned);
    expect(await fetched.text()).toBe("no");
  });

  it("hides rules whose target was removed by a live config change, and restores them when it comes back", async () => {
    await server.applyConfig(JSON.stringify({ notify: { webhook: { "2": { enable: true, endpoint: receiver.url } } } }));
    const hidden = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: "images" }));
    expect(hidden.QueueConfigurations ?? []).toEqual([]);
    await server.applyConfig(JSON.stringify({ notify: { webhook: { "1": { enable: true, endpoint: receiver.url } } } }));
    const back = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: "images" }));
    expect(back.QueueConfigurations?.map((queue) => queue.QueueArn)).toEqual([ARN]);
  });

  it("reloads bucket rules after a restart", async () => {
    await server.close();
    server = await startS3NotifyServer({
      dataDir,
      address: "127.0.0.1:0",
      credentials: CREDENTIALS,
      configText: JSON.stringify({ notify: { webhook: { "1": { enable: true, endpoint: receiver.url } } } }),
      env: {},
      plugins: [webhookTargetPlugin],
      discoverFrom: false,
      logger: silent,
    });
    s3.destroy();
    s3 = new S3Client({
      endpoint: server.url,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: CREDENTIALS.accessKey, secretAccessKey: CREDENTIALS.secretKey },
    });
    const before = receiver.events.length;
    await s3.send(new PutObjectCommand({ Bucket: "images", Key: "photos/after-restart.jpg", Body: "r" }));
    await receiver.waitFor((events) => events.length > before);
    expect(receiver.events.at(-1)?.Key).toBe("images/photos/after-restart.jpg");
  });
});
