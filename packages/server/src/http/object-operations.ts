import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { s3Error } from "../s3/s3-errors.js";
import { childrenOf, parseXmlBody, textOf } from "../s3/xml.js";
import type { ObjectInfo, WriteOptions } from "../storage/file-object-store.js";
import { addTag, parseRange, setObjectHeaders, writeOptionsFromHeaders } from "./object-metadata-headers.js";
import { readSmallBody, requestBody } from "./request-body.js";
import { s3UrlEncode, sendEmpty, sendXml } from "./responses.js";
import { emitEvent, queryValue, type S3Call } from "./s3-context.js";

const MAX_SINGLE_PUT = 5 * 1024 * 1024 * 1024;

export async function putObject(call: S3Call): Promise<void> {
  const declared = Number(call.request.headers["x-amz-decoded-content-length"] ?? call.request.headers["content-length"] ?? "0");
  if (declared > MAX_SINGLE_PUT) throw s3Error("EntityTooLarge");
  const options = writeOptionsFromHeaders(call.request.headers);
  const { body, checks } = requestBody(call.request, call.auth);
  const info = await call.host.store.putObject(call.bucket, call.key, body, { ...options, ...checks });
  call.response.setHeader("ETag", `"${info.etag}"`);
  await emitEvent(call, "s3:ObjectCreated:Put", { info });
  sendEmpty(call.response, 200);
}

export async function getObject(call: S3Call): Promise<void> {
  const opened = await call.host.store.openObject(call.bucket, call.key);
  try {
    const info = opened.info;
    const rangeHeader = typeof call.request.headers.range === "string" ? call.request.headers.range : undefined;
    let range: { start: number; end: number } | undefined;
    try {
      range = parseRange(rangeHeader, info.size);
    } catch (error) {
      call.response.setHeader("Content-Range", `bytes */${info.size}`);
      throw error;
    }
    checkConditions(call, info);
    setObjectHeaders(call.response, info);
    overrideResponseHeaders(call);
    const length = range ? range.end - range.start + 1 : info.size;
    call.response.setHeader("Content-Length", length);
    call.response.setHeader("Accept-Ranges", "bytes");
    if (range) {
      call.response.statusCode = 206;
      call.response.setHeader("Content-Range", `bytes ${range.start}-${range.end}/${info.size}`);
    } else call.response.statusCode = 200;
    if (length === 0) call.response.end();
    else await pipeline(opened.stream(range), call.response);
    await emitEvent(call, "s3:ObjectAccessed:Get", { info, ...(range && rangeHeader ? { range: rangeHeader } : {}), contentLength: length });
  } finally {
    await opened.close();
  }
}

const RESPONSE_OVERRIDES: Record<string, string> = {
  "response-content-type": "Content-Type",
  "response-content-language": "Content-Language",
  "response-expires": "Expires",
  "response-cache-control": "Cache-Control",
  "response-content-disposition": "Content-Disposition",
  "response-content-encoding": "Content-Encoding",
};

/** GetObject's `response-*` query parameters (used by presigned download links) replace the stored headers. */
function overrideResponseHeaders(call: S3Call): void {
  for (const [parameter, header] of Object.entries(RESPONSE_OVERRIDES)) {
    const value = queryValue(call.query, parameter);
    if (value !== undefined) call.response.setHeader(header, value);
  }
}

/** If-Match / If-None-Match / If-Modified-Since / If-Unmodified-Since on GET and HEAD. */
function checkConditions(call: S3Call, info: ObjectInfo): void {
  const headers = call.request.headers;
  const etag = `"${info.etag}"`;
  const modified = new Date(info.lastModified).getTime();
  const matches = (header: string) =>
    header.split(",").some((candidate) => candidate.trim() === "*" || candidate.trim() === etag || candidate.trim() === info.etag);
  if (typeof headers["if-match"] === "string" && !matches(headers["if-match"])) throw s3Error("PreconditionFailed");
  if (typeof headers["if-unmodified-since"] === "string" && Math.floor(modified / 1000) * 1000 > Date.parse(headers["if-unmodified-since"]))
    throw s3Error("PreconditionFailed");
  const notModified =
    (typeof headers["if-none-match"] === "string" && matches(headers["if-none-match"])) ||
    (typeof headers["if-modified-since"] === "string" && Math.floor(modified / 1000) * 1000 <= Date.parse(headers["if-modified-since"]));
  if (notModified) {
    const error = s3Error("PreconditionFailed", "Not Modified");
    Object.assign(error, { httpStatus: 304 });
    throw error;
  }
}

export async function headObject(call: S3Call): Promise<void> {
  const info = await call.host.store.headObject(call.bucket, call.key);
  checkConditions(call, info);
  setObjectHeaders(call.response, info);
  call.response.setHeader("Content-Length", info.size);
  call.response.setHeader("Accept-Ranges", "bytes");
  call.response.statusCode = 200;
  call.response.end();
  await emitEvent(call, "s3:ObjectAccessed:Head", { info, contentLength: info.size });
}

export async function deleteObject(call: S3Call): Promise<void> {
  const deleted = await call.host.store.deleteObject(call.bucket, call.key);
  sendEmpty(call.response, 204);
  await emitEvent(call, deleted ? "s3:ObjectRemoved:Delete" : "s3:ObjectRemoved:NoOP", { key: call.key });
}

export async function deleteObjects(call: S3Call): Promise<void> {
  await call.host.store.assertBucket(call.bucket);
  const document = parseXmlBody((await readSmallBody(call.request, call.auth)).toString("utf8"), "Delete");
  const entries = childrenOf(document, "Object");
  if (entries.length > 1000) throw s3Error("MalformedXML", "You have attempted to delete more objects than allowed (1000).");
  const quiet = textOf(document, "Quiet")?.trim() === "true";
  const deleted: Record<string, unknown>[] = [];
  const errors: Record<string, unknown>[] = [];
  const events: string[] = [];
  for (const entry of entries) {
    const key = textOf(entry, "Key") ?? "";
    try {
      const removed = await call.host.store.deleteObject(call.bucket, key);
      if (!quiet) deleted.push({ Key: key });
      if (removed) events.push(key);
    } catch (error) {
      const s3 = error as { s3Code?: string; message?: string };
      errors.push({ Key: key, Code: s3.s3Code ?? "InternalError", Message: s3.message ?? "We encountered an internal error, please try again." });
    }
  }
  sendXml(call.response, 200, "DeleteResult", { Deleted: deleted, Error: errors });
  for (const key of events) await emitEvent(call, "s3:ObjectRemoved:Delete", { key });
}

function parseCopySource(header: string): { bucket: string; key: string } {
  let source = header;
  const question = source.indexOf("?");
  if (question >= 0) {
    const versionId = new URLSearchParams(source.slice(question + 1)).get("versionId");
    if (versionId && versionId !== "null") throw s3Error("NoSuchKey", "The specified version does not exist.");
    source = source.slice(0, question);
  }
  try {
    source = decodeURIComponent(source);
  } catch {
    throw s3Error("InvalidArgument", "Copy Source must mention the source bucket and key: sourcebucket/sourcekey.");
  }
  if (source.startsWith("/")) source = source.slice(1);
  const slash = source.indexOf("/");
  if (slash <= 0 || slash === source.length - 1)
    throw s3Error("InvalidArgument", "Copy Source must mention the source bucket and key: sourcebucket/sourcekey.");
  return { bucket: source.slice(0, slash), key: source.slice(slash + 1) };
}

export async function copyObject(call: S3Call): Promise<void> {
  const source = parseCopySource(String(call.request.headers["x-amz-copy-source"]));
  const replaceMetadata = String(call.request.headers["x-amz-metadata-directive"] ?? "COPY").toUpperCase() === "REPLACE";
  const replaceTags = String(call.request.headers["x-amz-tagging-directive"] ?? "COPY").toUpperCase() === "REPLACE";
  if (source.bucket === call.bucket && source.key === call.key && !replaceMetadata && !replaceTags) {
    throw s3Error(
      "InvalidRequest",
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }
  const options: WriteOptions = writeOptionsFromHeaders(call.request.headers);
  const info = await call.host.store.copyObject(
    source,
    call.bucket,
    call.key,
    replaceMetadata ? options : undefined,
    replaceTags ? (options.tags ?? {}) : undefined,
  );
  sendXml(call.response, 200, "CopyObjectResult", { LastModified: info.lastModified, ETag: `"${info.etag}"` });
  await emitEvent(call, "s3:ObjectCreated:Copy", { info });
}

export async function getObjectTagging(call: S3Call): Promise<void> {
  const info = await call.host.store.headObject(call.bucket, call.key);
  sendXml(call.response, 200, "Tagging", { TagSet: { Tag: Object.entries(info.tags).map(([Key, Value]) => ({ Key, Value })) } });
}

export async function putObjectTagging(call: S3Call): Promise<void> {
  const document = parseXmlBody((await readSmallBody(call.request, call.auth)).toString("utf8"), "Tagging");
  const tagSet = (document as Record<string, unknown>).TagSet;
  const tags: Record<string, string> = {};
  for (const tag of childrenOf(tagSet, "Tag")) addTag(tags, textOf(tag, "Key") ?? "", textOf(tag, "Value") ?? "");
  const info = await call.host.store.setTags(call.bucket, call.key, tags);
  sendEmpty(call.response, 200);
  await emitEvent(call, "s3:ObjectCreated:PutTagging", { info });
}

export async function deleteObjectTagging(call: S3Call): Promise<void> {
  const info = await call.host.store.setTags(call.bucket, call.key, {});
  sendEmpty(call.response, 204);
  await emitEvent(call, "s3:ObjectCreated:DeleteTagging", { info });
}

// --- multipart -----------------------------------------------------------------------------------

export async function createMultipartUpload(call: S3Call): Promise<void> {
  const upload = await call.host.store.createUpload(call.bucket, call.key, writeOptionsFromHeaders(call.request.headers));
  sendXml(call.response, 200, "InitiateMultipartUploadResult", { Bucket: call.bucket, Key: call.key, UploadId: upload.uploadId });
}

export async function uploadPart(call: S3Call): Promise<void> {
  const uploadId = queryValue(call.query, "uploadId") ?? "";
  const partNumberText = queryValue(call.query, "partNumber") ?? "";
  if (!/^\d+$/.test(partNumberText)) throw s3Error("InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive");
  if (call.request.headers["x-amz-copy-source"] !== undefined) return uploadPartCopy(call, uploadId, Number(partNumberText));
  const { body, checks } = requestBody(call.request, call.auth);
  const part = await call.host.store.uploadPart(call.bucket, call.key, uploadId, Number(partNumberText), body, checks);
  call.response.setHeader("ETag", `"${part.etag}"`);
  sendEmpty(call.response, 200);
}

/** UploadPartCopy: a part made from (a byte range of) an existing object. */
async function uploadPartCopy(call: S3Call, uploadId: string, partNumber: number): Promise<void> {
  const source = parseCopySource(String(call.request.headers["x-amz-copy-source"]));
  await readSmallBody(call.request, call.auth, 0);
  const opened = await call.host.store.openObject(source.bucket, source.key);
  try {
    const rangeHeader = call.request.headers["x-amz-copy-source-range"];
    let range: { start: number; end: number } | undefined;
    if (typeof rangeHeader === "string") {
      const match = /^bytes=(\d+)-(\d+)$/.exec(rangeHeader.trim());
      if (!match || Number(match[1]) > Number(match[2]) || Number(match[2]) >= opened.info.size) {
        throw s3Error("InvalidArgument", `Range specified is not valid for source object of size: ${opened.info.size}`);
      }
      range = { start: Number(match[1]), end: Number(match[2]) };
    }
    const empty = opened.info.size === 0 && !range;
    const part = await call.host.store.uploadPart(call.bucket, call.key, uploadId, partNumber, empty ? Readable.from([]) : opened.stream(range), {});
    sendXml(call.response, 200, "CopyPartResult", { LastModified: part.lastModified, ETag: `"${part.etag}"` });
  } finally {
    await opened.close();
  }
}

export async function listParts(call: S3Call): Promise<void> {
  const uploadId = queryValue(call.query, "uploadId") ?? "";
  const { parts } = await call.host.store.listParts(call.bucket, call.key, uploadId);
  const marker = Number(queryValue(call.query, "part-number-marker") ?? "0") || 0;
  const maxParts = Math.min(Number(queryValue(call.query, "max-parts") ?? "1000") || 1000, 1000);
  const after = parts.filter((part) => part.partNumber > marker);
  const page = after.slice(0, maxParts);
  const owner = { ID: call.auth.accessKey, DisplayName: call.auth.accessKey };
  sendXml(call.response, 200, "ListPartsResult", {
    Bucket: call.bucket,
    Key: call.key,
    UploadId: uploadId,
    Initiator: owner,
    Owner: owner,
    StorageClass: "STANDARD",
    PartNumberMarker: marker,
    NextPartNumberMarker: page.at(-1)?.partNumber ?? 0,
    MaxParts: maxParts,
    IsTruncated: after.length > page.length,
    Part: page.map((part) => ({ PartNumber: part.partNumber, LastModified: part.lastModified, ETag: `"${part.etag}"`, Size: part.size })),
  });
}

export async function completeMultipartUpload(call: S3Call): Promise<void> {
  const uploadId = queryValue(call.query, "uploadId") ?? "";
  const document = parseXmlBody((await readSmallBody(call.request, call.auth)).toString("utf8"), "CompleteMultipartUpload");
  const parts = childrenOf(document, "Part").map((part) => ({ partNumber: Number(textOf(part, "PartNumber")), etag: (textOf(part, "ETag") ?? "").trim() }));
  const info = await call.host.store.completeUpload(call.bucket, call.key, uploadId, parts);
  const host = call.request.headers.host ?? "localhost";
  sendXml(call.response, 200, "CompleteMultipartUploadResult", {
    Location: `http://${host}/${s3UrlEncode(call.bucket)}/${s3UrlEncode(call.key)}`,
    Bucket: call.bucket,
    Key: call.key,
    ETag: `"${info.etag}"`,
  });
  await emitEvent(call, "s3:ObjectCreated:CompleteMultipartUpload", { info });
}

export async function abortMultipartUpload(call: S3Call): Promise<void> {
  await call.host.store.abortUpload(call.bucket, call.key, queryValue(call.query, "uploadId") ?? "");
  sendEmpty(call.response, 204);
}
