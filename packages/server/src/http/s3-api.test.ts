import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  DeleteObjectTaggingCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startS3TestHost, TEST_CREDENTIALS } from "../testing/s3-test-host.js";

let host: Awaited<ReturnType<typeof startS3TestHost>>;
let s3: S3Client;

beforeAll(async () => {
  host = await startS3TestHost();
  s3 = new S3Client({
    endpoint: host.url,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: TEST_CREDENTIALS.accessKey, secretAccessKey: TEST_CREDENTIALS.secretKey },
  });
});
afterAll(async () => {
  s3?.destroy();
  await host?.close();
});

function eventNames(): string[] {
  return host.notifications.events.map((event) => event.eventName);
}

describe("S3 API against @aws-sdk/client-s3 (the S3 layer on a loopback port, events recorded)", () => {
  it("creates, heads and lists buckets, refusing bad names and duplicates", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "photos" }));
    await s3.send(new HeadBucketCommand({ Bucket: "photos" }));
    const list = await s3.send(new ListBucketsCommand({}));
    expect(list.Buckets?.map((bucket) => bucket.Name)).toContain("photos");
    await expect(s3.send(new CreateBucketCommand({ Bucket: "photos" }))).rejects.toMatchObject({ name: "BucketAlreadyOwnedByYou" });
    await expect(s3.send(new CreateBucketCommand({ Bucket: "Bad_Name" }))).rejects.toMatchObject({ name: "InvalidBucketName" });
    await expect(s3.send(new HeadBucketCommand({ Bucket: "missing-bucket" }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
    expect(eventNames()).toEqual(["s3:BucketCreated:*"]);
  });

  it("puts and gets objects with metadata and ranges, and emits Put, Get and Head", async () => {
    host.notifications.events.length = 0;
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: "photos",
        Key: "2024/summer trip/img 01.jpg",
        Body: "hello world",
        ContentType: "image/jpeg",
        Metadata: { camera: "x100v" },
      }),
    );
    expect(put.ETag).toBe(`"${createHash("md5").update("hello world").digest("hex")}"`);
    const get = await s3.send(new GetObjectCommand({ Bucket: "photos", Key: "2024/summer trip/img 01.jpg" }));
    expect(await get.Body?.transformToString()).toBe("hello world");
    expect(get.ContentType).toBe("image/jpeg");
    expect(get.Metadata).toEqual({ camera: "x100v" });
    const ranged = await s3.send(new GetObjectCommand({ Bucket: "photos", Key: "2024/summer trip/img 01.jpg", Range: "bytes=6-10" }));
    expect(await ranged.Body?.transformToString()).toBe("world");
    expect(ranged.ContentRange).toBe("bytes 6-10/11");
    const head = await s3.send(new HeadObjectCommand({ Bucket: "photos", Key: "2024/summer trip/img 01.jpg" }));
    expect(head.ContentLength).toBe(11);
    await expect(s3.send(new GetObjectCommand({ Bucket: "photos", Key: "nope" }))).rejects.toMatchObject({ name: "NoSuchKey" });
    await expect(s3.send(new GetObjectCommand({ Bucket: "photos", Key: "2024/summer trip/img 01.jpg", Range: "bytes=50-60" }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 416 },
    });

    expect(eventNames()).toEqual(["s3:ObjectCreated:Put", "s3:ObjectAccessed:Get", "s3:ObjectAccessed:Get", "s3:ObjectAccessed:Head"]);
    const [putEvent, getEvent, rangeEvent, headEvent] = host.notifications.events;
    expect(putEvent).toMatchObject({
      bucket: "photos",
      key: "2024/summer trip/img 01.jpg",
      size: 11,
      contentType: "image/jpeg",
      userMetadata: { "X-Amz-Meta-Camera": "x100v", "content-type": "image/jpeg" },
      request: { principalId: TEST_CREDENTIALS.accessKey, sourceIp: "127.0.0.1", deploymentId: "00000000-0000-4000-8000-000000000000" },
    });
    expect(putEvent?.request?.requestId).toMatch(/^[0-9A-F]+$/);
    expect(putEvent?.request?.userAgent).toContain("aws-sdk-js");
    expect(putEvent?.request?.contentLength).toBeUndefined();
    expect(getEvent?.request).toMatchObject({ contentLength: 11 });
    expect(getEvent?.request?.range).toBeUndefined();
    expect(rangeEvent?.request).toMatchObject({ range: "bytes=6-10", contentLength: 5 });
    expect(headEvent?.request).toMatchObject({ contentLength: 11 });
  });

  it("honours response-* overrides and conditional GETs", async () => {
    const overridden = await s3.send(
      new GetObjectCommand({
        Bucket: "photos",
        Key: "2024/summer trip/img 01.jpg",
        ResponseContentType: "text/plain",
        ResponseContentDisposition: "attachment",
      }),
    );
    expect([overridden.ContentType, overridden.ContentDisposition]).toEqual(["text/plain", "attachment"]);
    await overridden.Body?.transformToString();
    const etag = overridden.ETag;
    await expect(s3.send(new GetObjectCommand({ Bucket: "photos", Key: "2024/summer trip/img 01.jpg", IfNoneMatch: etag }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 304 },
    });
    await expect(s3.send(new GetObjectCommand({ Bucket: "photos", Key: "2024/summer trip/img 01.jpg", IfMatch: '"0000"' }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 412 },
    });
  });

  it("streams an upload of unknown length (aws-chunked with a checksum trailer)", async () => {
    const body = Readable.from([Buffer.from("chunk-one "), Buffer.from("chunk-two")]);
    await s3.send(new PutObjectCommand({ Bucket: "photos", Key: "streamed.txt", Body: body, ContentLength: 19 }));
    const get = await s3.send(new GetObjectCommand({ Bucket: "photos", Key: "streamed.txt" }));
    expect(await get.Body?.transformToString()).toBe("chunk-one chunk-two");
  });

  it("lists with prefix, delimiter, max-keys and continuation tokens", async () => {
    for (const key of ["list/a.txt", "list/b/1.txt", "list/b/2.txt", "list/c.txt", "list/d/x.txt"]) {
      await s3.send(new PutObjectCommand({ Bucket: "photos", Key: key, Body: key }));
    }
    const top = await s3.send(new ListObjectsV2Command({ Bucket: "photos", Prefix: "list/", Delimiter: "/" }));
    expect(top.Contents?.map((item) => item.Key)).toEqual(["list/a.txt", "list/c.txt"]);
    expect(top.CommonPrefixes?.map((item) => item.Prefix)).toEqual(["list/b/", "list/d/"]);
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: "photos", Prefix: "list/", MaxKeys: 2, ContinuationToken: token }));
      seen.push(...(page.Contents ?? []).map((item) => item.Key ?? ""));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    expect(seen).toEqual(["list/a.txt", "list/b/1.txt", "list/b/2.txt", "list/c.txt", "list/d/x.txt"]);
  });

  it("copies, tags and deletes, emitting Copy, PutTagging, DeleteTagging, Delete and NoOP", async () => {
    host.notifications.events.length = 0;
    await s3.send(new CopyObjectCommand({ Bucket: "photos", Key: "copy.jpg", CopySource: "photos/2024/summer%20trip/img%2001.jpg" }));
    const copied = await s3.send(new GetObjectCommand({ Bucket: "photos", Key: "copy.jpg" }));
    expect(await copied.Body?.transformToString()).toBe("hello world");
    expect(copied.Metadata).toEqual({ camera: "x100v" });
    await s3.send(new PutObjectTaggingCommand({ Bucket: "photos", Key: "copy.jpg", Tagging: { TagSet: [{ Key: "team", Value: "blue" }] } }));
    const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: "photos", Key: "copy.jpg" }));
    expect(tags.TagSet).toEqual([{ Key: "team", Value: "blue" }]);
    await s3.send(new DeleteObjectTaggingCommand({ Bucket: "photos", Key: "copy.jpg" }));
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket: "photos", Key: "copy.jpg" }))).TagSet).toEqual([]);
    await s3.send(new DeleteObjectCommand({ Bucket: "photos", Key: "copy.jpg" }));
    await s3.send(new DeleteObjectCommand({ Bucket: "photos", Key: "copy.jpg" }));
    expect(eventNames()).toEqual([
      "s3:ObjectCreated:Copy",
      "s3:ObjectAccessed:Get",
      "s3:ObjectCreated:PutTagging",
      "s3:ObjectCreated:DeleteTagging",
      "s3:ObjectRemoved:Delete",
      "s3:ObjectRemoved:NoOP",
    ]);
  });

  it("deletes many objects at once, one event per deleted entry", async () => {
    host.notifications.events.length = 0;
    const result = await s3.send(
      new DeleteObjectsCommand({ Bucket: "photos", Delete: { Objects: [{ Key: "list/a.txt" }, { Key: "list/c.txt" }, { Key: "never-there" }] } }),
    );
    expect(result.Deleted?.map((item) => item.Key).sort()).toEqual(["list/a.txt", "list/c.txt", "never-there"]);
    expect(host.notifications.events.map((event) => [event.eventName, event.key])).toEqual([
      ["s3:ObjectRemoved:Delete", "list/a.txt"],
      ["s3:ObjectRemoved:Delete", "list/c.txt"],
    ]);
  });

  it("completes a multipart upload with the S3 multipart ETag, lists parts and aborts", async () => {
    host.notifications.events.length = 0;
    const first = Buffer.alloc(5 * 1024 * 1024, 1);
    const second = Buffer.from("tail");
    const created = await s3.send(new CreateMultipartUploadCommand({ Bucket: "photos", Key: "big.bin", ContentType: "application/x-test" }));
    const uploadId = created.UploadId ?? "";
    const part1 = await s3.send(new UploadPartCommand({ Bucket: "photos", Key: "big.bin", UploadId: uploadId, PartNumber: 1, Body: first }));
    const part2 = await s3.send(new UploadPartCommand({ Bucket: "photos", Key: "big.bin", UploadId: uploadId, PartNumber: 2, Body: second }));
    const parts = await s3.send(new ListPartsCommand({ Bucket: "photos", Key: "big.bin", UploadId: uploadId }));
    expect(parts.Parts?.map((part) => part.PartNumber)).toEqual([1, 2]);
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: "photos",
        Key: "big.bin",
        UploadId: uploadId,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: part1.ETag },
            { PartNumber: 2, ETag: part2.ETag },
          ],
        },
      }),
    );
    const md5 = (data: Buffer) => createHash("md5").update(data).digest();
    const expected = `${createHash("md5")
      .update(Buffer.concat([md5(first), md5(second)]))
      .digest("hex")}-2`;
    expect(done.ETag).toBe(`"${expected}"`);
    const head = await s3.send(new HeadObjectCommand({ Bucket: "photos", Key: "big.bin" }));
    expect(head.ContentLength).toBe(first.length + second.length);
    expect(head.ContentType).toBe("application/x-test");
    expect(host.notifications.events.map((event) => event.eventName)).toEqual(["s3:ObjectCreated:CompleteMultipartUpload", "s3:ObjectAccessed:Head"]);
    expect(host.notifications.events[0]).toMatchObject({ eTag: expected, size: first.length + 4 });

    const aborted = await s3.send(new CreateMultipartUploadCommand({ Bucket: "photos", Key: "gone.bin" }));
    const pending = await s3.send(new ListMultipartUploadsCommand({ Bucket: "photos" }));
    expect(pending.Uploads?.map((upload) => [upload.Key, upload.UploadId])).toEqual([["gone.bin", aborted.UploadId]]);
    await s3.send(new AbortMultipartUploadCommand({ Bucket: "photos", Key: "gone.bin", UploadId: aborted.UploadId }));
    await expect(s3.send(new ListPartsCommand({ Bucket: "photos", Key: "gone.bin", UploadId: aborted.UploadId }))).rejects.toMatchObject({
      name: "NoSuchUpload",
    });
  });

  it("builds an object from parts copied out of another object (UploadPartCopy with ranges)", async () => {
    const source = Buffer.alloc(6 * 1024 * 1024, "s");
    source.write("HEAD", 0);
    await s3.send(new PutObjectCommand({ Bucket: "photos", Key: "source.bin", Body: source }));
    const created = await s3.send(new CreateMultipartUploadCommand({ Bucket: "photos", Key: "composed.bin" }));
    const first = await s3.send(
      new UploadPartCopyCommand({ Bucket: "photos", Key: "composed.bin", UploadId: created.UploadId, PartNumber: 1, CopySource: "photos/source.bin" }),
    );
    const second = await s3.send(
      new UploadPartCopyCommand({
        Bucket: "photos",
        Key: "composed.bin",
        UploadId: created.UploadId,
        PartNumber: 2,
        CopySource: "photos/source.bin",
        CopySourceRange: "bytes=0-3",
      }),
    );
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: "photos",
        Key: "composed.bin",
        UploadId: created.UploadId,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: first.CopyPartResult?.ETag },
            { PartNumber: 2, ETag: second.CopyPartResult?.ETag },
          ],
        },
      }),
    );
    const composed = await s3.send(new GetObjectCommand({ Bucket: "photos", Key: "composed.bin", Range: `bytes=${source.length}-${source.length + 3}` }));
    expect(await composed.Body?.transformToString()).toBe("HEAD");
  });

  it("refuses to delete a bucket that is not empty, then deletes it once emptied", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "scratch" }));
    await s3.send(new PutObjectCommand({ Bucket: "scratch", Key: "deep/down/file", Body: "x" }));
    await expect(s3.send(new DeleteBucketCommand({ Bucket: "scratch" }))).rejects.toMatchObject({ name: "BucketNotEmpty" });
    await s3.send(new DeleteObjectCommand({ Bucket: "scratch", Key: "deep/down/file" }));
    host.notifications.events.length = 0;
    await s3.send(new DeleteBucketCommand({ Bucket: "scratch" }));
    expect(eventNames()).toEqual(["s3:BucketRemoved:*"]);
    await expect(s3.send(new DeleteBucketCommand({ Bucket: "scratch" }))).rejects.toMatchObject({ name: "NoSuchBucket" });
  });
});
