import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import { s3Error } from "../s3/s3-errors.js";
import type { ObjectInfo, WriteOptions } from "../storage/file-object-store.js";

const STORED_HEADERS = ["cache-control", "content-disposition", "content-language", "expires"] as const;

/** Go's http.CanonicalHeaderKey: `x-amz-meta-my-key` → `X-Amz-Meta-My-Key`. */
export function canonicalHeaderKey(name: string): string {
  return name
    .split("-")
    .map((part) => (part ? part[0]?.toUpperCase() + part.slice(1).toLowerCase() : part))
    .join("-");
}

/** Parses `x-amz-tagging` / a URL-encoded tag set, checking S3's tag limits. */
export function parseTagQuery(text: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(text)) addTag(tags, name, value);
  return tags;
}

export function addTag(tags: Record<string, string>, name: string, value: string): void {
  if (!name || name.length > 128 || value.length > 256) throw s3Error("InvalidTag");
  if (Object.hasOwn(tags, name)) throw s3Error("InvalidTag", "Cannot provide multiple Tags with the same key");
  tags[name] = value;
  if (Object.keys(tags).length > 10) throw s3Error("InvalidTag", "Object tags cannot be greater than 10");
}

/** Content type, x-amz-meta-*, stored standard headers and tags from a PUT/POST/COPY request. */
export function writeOptionsFromHeaders(headers: IncomingHttpHeaders): WriteOptions {
  const userMetadata: Record<string, string> = {};
  const stored: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(",") : value;
    if (name.startsWith("x-amz-meta-")) userMetadata[canonicalHeaderKey(name)] = text;
  }
  for (const name of STORED_HEADERS) {
    const value = headers[name];
    if (typeof value === "string") stored[name] = value;
  }
  const encoding = headers["content-encoding"];
  if (typeof encoding === "string") {
    const kept = encoding
      .split(",")
      .map((token) => token.trim())
      .filter((token) => token && token !== "aws-chunked");
    if (kept.length > 0) stored["content-encoding"] = kept.join(",");
  }
  const tagging = headers["x-amz-tagging"];
  const contentType = headers["content-type"];
  return {
    ...(typeof contentType === "string" && contentType ? { contentType } : {}),
    userMetadata,
    headers: stored,
    ...(typeof tagging === "string" ? { tags: parseTagQuery(tagging) } : {}),
  };
}

/** Response headers describing a stored object (GET and HEAD). */
export function setObjectHeaders(response: ServerResponse, info: ObjectInfo): void {
  response.setHeader("ETag", `"${info.etag}"`);
  response.setHeader("Last-Modified", new Date(info.lastModified).toUTCString());
  response.setHeader("Content-Type", info.contentType);
  for (const [name, value] of Object.entries(info.headers)) response.setHeader(name, value);
  for (const [name, value] of Object.entries(info.userMetadata)) response.setHeader(name, value);
  const tagCount = Object.keys(info.tags).length;
  if (tagCount > 0) response.setHeader("x-amz-tagging-count", String(tagCount));
}

/** `bytes=a-b`, `bytes=a-`, `bytes=-n`; undefined when the header is absent or not a single byte range. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === "" && match[2] === "")) return undefined;
  let start: number;
  let end: number;
  if (match[1] === "") {
    const suffix = Number(match[2]);
    if (suffix === 0) throw s3Error("InvalidRange");
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
    if (match[2] !== "" && Number(match[2]) < start) return undefined;
  }
  if (start >= size) throw s3Error("InvalidRange");
  return { start, end };
}
