import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { S3Error, S3NotifyError } from "@s3notify/core";
import type { Credentials } from "../auth/credentials.js";
import { type AuthResult, parseQuery, verifySigV4 } from "../auth/sigv4-verifier.js";
import { s3Error } from "../s3/s3-errors.js";
import { renderXml } from "../s3/xml.js";
import {
  createBucket,
  deleteBucket,
  getBucketLocation,
  getBucketNotification,
  getBucketVersioning,
  headBucket,
  listBuckets,
  listMultipartUploads,
  listObjectsV1,
  listObjectsV2,
  putBucketNotification,
} from "./bucket-operations.js";
import { listenNotification } from "./listen-operation.js";
import {
  abortMultipartUpload,
  completeMultipartUpload,
  copyObject,
  createMultipartUpload,
  deleteObject,
  deleteObjects,
  deleteObjectTagging,
  getObject,
  getObjectTagging,
  headObject,
  listParts,
  putObject,
  putObjectTagging,
  uploadPart,
} from "./object-operations.js";
import type { S3Call, S3HostDependencies } from "./s3-context.js";

/** An authenticated request to the admin API (`/minio/admin/v3/...`, `/s3notify/admin/...`). */
export interface AdminCall {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly path: string;
  readonly query: Record<string, string | string[]>;
  readonly auth: AuthResult;
}

export interface S3HandlerOptions extends S3HostDependencies {
  readonly credentials: Credentials;
  readonly deploymentId: string;
  /** `x-minio-origin-endpoint`, e.g. `http://127.0.0.1:9000`. */
  readonly originEndpoint: () => string;
  /** The node's `host:port`, hashed into `x-amz-id-2`. */
  readonly nodeName: () => string;
  readonly admin?: (call: AdminCall) => Promise<void>;
  /** Readiness: false while starting or draining. */
  readonly ready?: () => boolean;
}

let lastRequestNs = 0n;

/** Unix nanoseconds of the request start, strictly increasing so that request ids are unique. */
function requestStartNs(): bigint {
  let now = BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);
  if (now <= lastRequestNs) now = lastRequestNs + 1n;
  lastRequestNs = now;
  return now;
}

/** The client address as MinIO reports it: first X-Forwarded-For entry, X-Real-IP, then the socket. */
export function sourceIp(request: IncomingMessage): string {
  const forwarded = request.headers["x-forwarded-for"];
  const forwardedText = Array.isArray(forwarded) ? forwarded[0] : forwarded;
  let address = forwardedText?.split(",")[0]?.trim();
  if (!address) {
    const realIp = request.headers["x-real-ip"];
    address = (Array.isArray(realIp) ? realIp[0] : realIp)?.trim();
  }
  if (!address) address = request.socket.remoteAddress ?? "";
  if (address.startsWith("::ffff:") && address.includes(".")) address = address.slice(7);
  if (address.includes(":") && !address.startsWith("[")) address = `[${address}]`;
  return address;
}

function decodePathPart(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw s3Error("XMinioInvalidObjectName", "Object name is not valid URL-encoded UTF-8.");
  }
}

/** The S3 request handler: health, auth, routing, S3 XML errors. Path-style addressing only. */
export function createS3Handler(options: S3HandlerOptions): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  return async (request, response) => {
    const requestId = requestStartNs().toString(16).toUpperCase();
    const nodeIdHash = createHash("sha256").update(options.nodeName()).digest("hex");
    response.setHeader("x-amz-request-id", requestId);
    response.setHeader("x-amz-id-2", nodeIdHash);
    response.setHeader("Server", "s3notify");
    const rawUrl = request.url ?? "/";
    const questionMark = rawUrl.indexOf("?");
    const rawPath = questionMark >= 0 ? rawUrl.slice(0, questionMark) : rawUrl;
    const query = parseQuery(questionMark >= 0 ? rawUrl.slice(questionMark + 1) : "");
    let bucket = "";
    let key = "";
    try {
      if (rawPath === "/minio/health/live" || rawPath === "/minio/health/ready") {
        const ready = rawPath.endsWith("/live") || (options.ready?.() ?? true);
        response.statusCode = ready ? 200 : 503;
        response.end();
        return;
      }
      if (!rawPath.startsWith("/")) throw s3Error("InvalidRequest", "The request path must start with '/'.");
      const slash = rawPath.indexOf("/", 1);
      bucket = decodePathPart(slash >= 0 ? rawPath.slice(1, slash) : rawPath.slice(1));
      key = slash >= 0 ? decodePathPart(rawPath.slice(slash + 1)) : "";

      const auth = await verifySigV4(request, { credentials: options.credentials, region: options.region });

      if (rawPath.startsWith("/minio/admin/") || rawPath.startsWith("/s3notify/admin/")) {
        if (!options.admin) throw s3Error("NotImplemented", "The admin API is not enabled.");
        await options.admin({ request, response, path: rawPath, query, auth });
        return;
      }

      const call: S3Call = {
        request,
        response,
        requestId,
        bucket,
        key,
        query,
        auth,
        host: options,
        eventRequest: {
          principalId: auth.accessKey,
          region: options.region,
          sourceIp: sourceIp(request),
          userAgent: typeof request.headers["user-agent"] === "string" ? request.headers["user-agent"] : "",
          requestId,
          nodeIdHash,
          originEndpoint: options.originEndpoint(),
          deploymentId: options.deploymentId,
        },
      };
      await route(call);
    } catch (error) {
      writeError(request, response, error, { requestId, bucket, key, resource: rawPath, hostId: nodeIdHash }, options);
    }
  };
}

async function route(call: S3Call): Promise<void> {
  const method = call.request.method ?? "GET";
  const has = (name: string) => call.query[name] !== undefined;
  if (call.bucket === "") {
    if (method === "GET" && has("events")) return listenNotification(call, undefined);
    if (method === "GET") return listBuckets(call);
    throw s3Error("MethodNotAllowed");
  }
  if (call.key === "") {
    switch (method) {
      case "GET":
        if (has("events")) return listenNotification(call, call.bucket);
        if (has("notification")) return getBucketNotification(call);
        if (has("location")) return getBucketLocation(call);
        if (has("versioning")) return getBucketVersioning(call);
        if (has("uploads")) return listMultipartUploads(call);
        if (call.query["list-type"] === "2") return listObjectsV2(call);
        if (Object.keys(call.query).every((name) => ["prefix", "delimiter", "marker", "max-keys", "encoding-type"].includes(name))) return listObjectsV1(call);
        throw s3Error("NotImplemented", "This bucket sub-resource is not implemented.");
      case "PUT":
        if (has("notification")) return putBucketNotification(call);
        if (Object.keys(call.query).length === 0) return createBucket(call);
        throw s3Error("NotImplemented", "This bucket sub-resource is not implemented.");
      case "DELETE":
        if (Object.keys(call.query).length === 0) return deleteBucket(call);
        throw s3Error("NotImplemented", "This bucket sub-resource is not implemented.");
      case "HEAD":
        return headBucket(call);
      case "POST":
        if (has("delete")) return deleteObjects(call);
        throw s3Error("NotImplemented", "POST policy uploads are not implemented.");
      default:
        throw s3Error("MethodNotAllowed");
    }
  }
  switch (method) {
    case "GET":
      if (has("tagging")) return getObjectTagging(call);
      if (has("uploadId")) return listParts(call);
      return getObject(call);
    case "HEAD":
      return headObject(call);
    case "PUT":
      if (has("tagging")) return putObjectTagging(call);
      if (has("uploadId") || has("partNumber")) return uploadPart(call);
      if (call.request.headers["x-amz-copy-source"] !== undefined) return copyObject(call);
      return putObject(call);
    case "DELETE":
      if (has("tagging")) return deleteObjectTagging(call);
      if (has("uploadId")) return abortMultipartUpload(call);
      return deleteObject(call);
    case "POST":
      if (has("uploads")) return createMultipartUpload(call);
      if (has("uploadId")) return completeMultipartUpload(call);
      throw s3Error("NotImplemented", "This object sub-resource is not implemented.");
    default:
      throw s3Error("MethodNotAllowed");
  }
}

interface ErrorFacts {
  readonly requestId: string;
  readonly bucket: string;
  readonly key: string;
  readonly resource: string;
  readonly hostId: string;
}

function writeError(request: IncomingMessage, response: ServerResponse, error: unknown, facts: ErrorFacts, options: S3HandlerOptions): void {
  let s3: S3Error;
  if (error instanceof S3Error || (S3NotifyError.isInstance(error) && "s3Code" in error)) s3 = error as S3Error;
  else {
    options.logger.error("request failed", {
      requestId: facts.requestId,
      method: request.method,
      path: facts.resource,
      error: error instanceof Error ? error.message : String(error),
    });
    s3 = s3Error("InternalError");
  }
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response.statusCode = s3.httpStatus;
  // The rest of an unread body is drained so that the connection can be reused.
  request.resume();
  if (request.method === "HEAD" || s3.httpStatus === 304) {
    response.end();
    return;
  }
  const xml = renderXml(
    "Error",
    {
      Code: s3.s3Code,
      Message: s3.message,
      ...(facts.key ? { Key: facts.key } : {}),
      ...(facts.bucket ? { BucketName: facts.bucket } : {}),
      Resource: facts.resource,
      RequestId: facts.requestId,
      HostId: facts.hostId,
    },
    { namespace: false },
  );
  response.setHeader("Content-Type", "application/xml");
  response.setHeader("Content-Length", Buffer.byteLength(xml));
  response.end(xml);
}
