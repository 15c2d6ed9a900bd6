import { s3Error } from "../s3/s3-errors.js";
import type { ObjectInfo } from "../storage/file-object-store.js";
import { isValidBucketName } from "../storage/object-key-path.js";
import { readSmallBody } from "./request-body.js";
import { s3UrlEncode, sendEmpty, sendXml } from "./responses.js";
import { emitEvent, queryValue, type S3Call } from "./s3-context.js";

export async function listBuckets(call: S3Call): Promise<void> {
  const buckets = await call.host.store.listBuckets();
  sendXml(call.response, 200, "ListAllMyBucketsResult", {
    Owner: { ID: call.auth.accessKey, DisplayName: call.auth.accessKey },
    Buckets: { Bucket: buckets.map((bucket) => ({ Name: bucket.name, CreationDate: bucket.creationDate })) },
  });
}

export async function createBucket(call: S3Call): Promise<void> {
  if (!isValidBucketName(call.bucket)) throw s3Error("InvalidBucketName");
  await readSmallBody(call.request, call.auth); // CreateBucketConfiguration: the location is not used
  await call.host.store.createBucket(call.bucket);
  call.response.setHeader("Location", `/${call.bucket}`);
  sendEmpty(call.response, 200);
  await emitEvent(call, "s3:BucketCreated:*", { key: "" });
}

export async function deleteBucket(call: S3Call): Promise<void> {
  await call.host.store.deleteBucket(call.bucket);
  await call.host.notifications.removeBucket(call.bucket);
  sendEmpty(call.response, 204);
  await emitEvent(call, "s3:BucketRemoved:*", { key: "" });
}

export async function headBucket(call: S3Call): Promise<void> {
  await call.host.store.assertBucket(call.bucket);
  call.response.setHeader("x-amz-bucket-region", call.host.region || "us-east-1");
  sendEmpty(call.response, 200);
}

export async function getBucketLocation(call: S3Call): Promise<void> {
  await call.host.store.assertBucket(call.bucket);
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${call.host.region}</LocationConstraint>`;
  call.response.statusCode = 200;
  call.response.setHeader("Content-Type", "application/xml");
  call.response.end(xml);
}

export async function getBucketVersioning(call: S3Call): Promise<void> {
  await call.host.store.assertBucket(call.bucket);
  sendXml(call.response, 200, "VersioningConfiguration", {});
}

export async function listMultipartUploads(call: S3Call): Promise<void> {
  const prefix = queryValue(call.query, "prefix") ?? "";
  const keyMarker = queryValue(call.query, "key-marker") ?? "";
  const uploadIdMarker = queryValue(call.query, "upload-id-marker") ?? "";
  const maxUploads = Math.min(Number(queryValue(call.query, "max-uploads") ?? "1000") || 1000, 1000);
  const all = await call.host.store.listUploads(call.bucket, prefix);
  const after = all.filter((upload) => {
    if (!keyMarker) return true;
    if (upload.key !== keyMarker) return Buffer.compare(Buffer.from(upload.key), Buffer.from(keyMarker)) > 0;
    return uploadIdMarker !== "" && upload.uploadId > uploadIdMarker;
  });
  const page = after.slice(0, maxUploads);
  const last = page.at(-1);
  const owner = { ID: call.auth.accessKey, DisplayName: call.auth.accessKey };
  sendXml(call.response, 200, "ListMultipartUploadsResult", {
    Bucket: call.bucket,
    KeyMarker: keyMarker,
    UploadIdMarker: uploadIdMarker,
    ...(after.length > page.length && last ? { NextKeyMarker: last.key, NextUploadIdMarker: last.uploadId } : {}),
    MaxUploads: maxUploads,
    IsTruncated: after.length > page.length,
    Prefix: prefix,
    Upload: page.map((upload) => ({
      Key: upload.key,
      UploadId: upload.uploadId,
      Initiator: owner,
      Owner: owner,
      StorageClass: "STANDARD",
      Initiated: upload.initiated,
    })),
  });
}

function contents(info: ObjectInfo, encode: (text: string) => string, owner: boolean, accessKey: string): Record<string, unknown> {
  return {
    Key: encode(info.key),
    LastModified: info.lastModified,
    ETag: `"${info.etag}"`,
    Size: info.size,
    ...(owner ? { Owner: { ID: accessKey, DisplayName: accessKey } } : {}),
    StorageClass: "STANDARD",
  };
}

function parseMaxKeys(text: string | undefined): number {
  if (text === undefined) return 1000;
  if (!/^\d+$/.test(text)) throw s3Error("InvalidArgument", "Argument maxKeys must be an integer between 0 and 2147483647");
  return Math.min(Number(text), 1000);
}

export async function listObjectsV2(call: S3Call): Promise<void> {
  const prefix = queryValue(call.query, "prefix") ?? "";
  const delimiter = queryValue(call.query, "delimiter") ?? "";
  const startAfter = queryValue(call.query, "start-after") ?? "";
  const token = queryValue(call.query, "continuation-token");
  const maxKeys = parseMaxKeys(queryValue(call.query, "max-keys"));
  const urlEncoding = queryValue(call.query, "encoding-type") === "url";
  const fetchOwner = queryValue(call.query, "fetch-owner") === "true";
  let after: string | undefined = startAfter || undefined;
  if (token !== undefined) {
    const decoded = Buffer.from(token, "base64url").toString("utf8");
    if (!token || Buffer.from(decoded, "utf8").toString("base64url") !== token)
      throw s3Error("InvalidArgument", "The continuation token provided is incorrect");
    after = decoded;
  }
  const result = await call.host.store.listObjects(call.bucket, { prefix, delimiter, maxKeys, ...(after !== undefined ? { after } : {}) });
  const encode = urlEncoding ? s3UrlEncode : (text: string) => text;
  sendXml(call.response, 200, "ListBucketResult", {
    Name: call.bucket,
    Prefix: encode(prefix),
    ...(token !== undefined ? { ContinuationToken: token } : {}),
    ...(result.isTruncated && result.lastEntry !== undefined ? { NextContinuationToken: Buffer.from(result.lastEntry, "utf8").toString("base64url") } : {}),
    ...(startAfter ? { StartAfter: encode(startAfter) } : {}),
    KeyCount: result.objects.length + result.commonPrefixes.length,
    MaxKeys: maxKeys,
    ...(delimiter ? { Delimiter: encode(delimiter) } : {}),
    ...(urlEncoding ? { EncodingType: "url" } : {}),
    IsTruncated: result.isTruncated,
    Contents: result.objects.map((info) => contents(info, encode, fetchOwner, call.auth.accessKey)),
    CommonPrefixes: result.commonPrefixes.map((commonPrefix) => ({ Prefix: encode(commonPrefix) })),
  });
}

export async function listObjectsV1(call: S3Call): Promise<void> {
  const prefix = queryValue(call.query, "prefix") ?? "";
  const delimiter = queryValue(call.query, "delimiter") ?? "";
  const marker = queryValue(call.query, "marker") ?? "";
  const maxKeys = parseMaxKeys(queryValue(call.query, "max-keys"));
  const urlEncoding = queryValue(call.query, "encoding-type") === "url";
  const result = await call.host.store.listObjects(call.bucket, { prefix, delimiter, maxKeys, ...(marker ? { after: marker } : {}) });
  const encode = urlEncoding ? s3UrlEncode : (text: string) => text;
  sendXml(call.response, 200, "ListBucketResult", {
    Name: call.bucket,
    Prefix: encode(prefix),
    Marker: encode(marker),
    ...(result.isTruncated && result.lastEntry !== undefined ? { NextMarker: encode(result.lastEntry) } : {}),
    MaxKeys: maxKeys,
    ...(delimiter ? { Delimiter: encode(delimiter) } : {}),
    ...(urlEncoding ? { EncodingType: "url" } : {}),
    IsTruncated: result.isTruncated,
    Contents: result.objects.map((info) => contents(info, encode, true, call.auth.accessKey)),
    CommonPrefixes: result.commonPrefixes.map((commonPrefix) => ({ Prefix: encode(commonPrefix) })),
  });
}

export async function putBucketNotification(call: S3Call): Promise<void> {
  await call.host.store.assertBucket(call.bucket);
  const length = Number(call.request.headers["content-length"] ?? "0");
  const decoded = Number(call.request.headers["x-amz-decoded-content-length"] ?? "0");
  if (!(length > 0) && !(decoded > 0)) throw s3Error("MissingContentLength");
  const xml = (await readSmallBody(call.request, call.auth)).toString("utf8");
  await call.host.notifications.putBucketNotification(call.bucket, xml);
  sendEmpty(call.response, 200);
}

export async function getBucketNotification(call: S3Call): Promise<void> {
  await call.host.store.assertBucket(call.bucket);
  const xml = call.host.notifications.getBucketNotification(call.bucket);
  call.response.statusCode = 200;
  call.response.setHeader("Content-Type", "application/xml");
  call.response.setHeader("Content-Length", Buffer.byteLength(xml));
  call.response.end(xml);
}
