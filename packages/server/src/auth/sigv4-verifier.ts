import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { getCanonicalQuery, getSigningKey } from "@smithy/signature-v4";
import { s3Error } from "../s3/s3-errors.js";
import type { Credentials } from "./credentials.js";

export const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
export const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
export const STREAMING_SIGNED = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
export const STREAMING_SIGNED_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
export const STREAMING_UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

const ALGORITHM = "AWS4-HMAC-SHA256";
const MAX_SKEW_MS = 15 * 60 * 1000;
const MAX_PRESIGNED_SECONDS = 7 * 24 * 3600;

/** What the body of an authenticated request must look like. */
export type PayloadCheck =
  | { readonly kind: "sha256"; readonly sha256: string }
  | { readonly kind: "unsigned" }
  | { readonly kind: "streaming"; readonly signed: boolean; readonly trailer: boolean; readonly chunkSigner?: ChunkSigner };

/** Enough to check aws-chunked chunk signatures: each one chains on the previous. */
export interface ChunkSigner {
  readonly amzDate: string;
  readonly scope: string;
  readonly signingKey: Uint8Array;
  readonly seedSignature: string;
}

export interface AuthResult {
  readonly accessKey: string;
  readonly payload: PayloadCheck;
}

interface ParsedCredential {
  readonly accessKey: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
}

function parseCredential(value: string, onError: () => Error): ParsedCredential {
  const parts = value.split("/");
  if (parts.length !== 5 || parts[4] !== "aws4_request" || !/^\d{8}$/.test(parts[1] ?? "")) throw onError();
  const [accessKey = "", date = "", region = "", service = ""] = parts;
  if (!accessKey) throw onError();
  return { accessKey, date, region, service };
}

function parseAmzDate(value: string | undefined): Date | undefined {
  if (!value) return undefined;
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (match) return new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]), Number(match[4]), Number(match[5]), Number(match[6])));
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? undefined : parsed;
}

function toAmzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

function hmacHex(key: Uint8Array, text: string): string {
  return createHmac("sha256", key).update(text, "utf8").digest("hex");
}

function sameSignature(expected: string, given: string): boolean {
  const left = Buffer.from(expected, "utf8");
  const right = Buffer.from(given, "utf8");
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Query parameters as Go's url.ParseQuery reads them (`+` is a space), values grouped by name. */
export function parseQuery(rawQuery: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(rawQuery)) {
    const existing = query[name];
    if (existing === undefined) query[name] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else query[name] = [existing, value];
  }
  return query;
}

/** S3's URI encoding of a path (every byte but unreserved characters and `/`). */
function s3EncodePath(path: string): string {
  return path.replace(/[^A-Za-z0-9\-._~/]/g, (character) =>
    [...Buffer.from(character, "utf8")].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, "0")}`).join(""),
  );
}

export interface VerifyOptions {
  readonly credentials: Credentials;
  /** Server region; "" accepts any region in the credential scope. */
  readonly region: string;
  readonly now?: Date;
}

/**
 * Checks AWS Signature Version 4 on a request, from the Authorization header or a presigned URL.
 * Throws the S3 error a client expects; returns the access key and how to check the body.
 */
export async function verifySigV4(request: IncomingMessage, options: VerifyOptions): Promise<AuthResult> {
  const rawUrl = request.url ?? "/";
  const questionMark = rawUrl.indexOf("?");
  const rawPath = questionMark >= 0 ? rawUrl.slice(0, questionMark) : rawUrl;
  const query = parseQuery(questionMark >= 0 ? rawUrl.slice(questionMark + 1) : "");
  const now = options.now ?? new Date();
  const authorization = request.headers.authorization;

  let credential: ParsedCredential;
  let signedHeaders: string[];
  let signature: string;
  let requestDate: Date;
  let amzDate: string;
  let payloadHash: string;
  let presigned = false;

  if (typeof query["X-Amz-Algorithm"] === "string" || typeof query["X-Amz-Signature"] === "string") {
    presigned = true;
    const queryError = (message?: string) => s3Error("AuthorizationQueryParametersError", message);
    if (query["X-Amz-Algorithm"] !== ALGORITHM) throw queryError('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
    const credentialValue = query["X-Amz-Credential"];
    const dateValue = query["X-Amz-Date"];
    const expiresValue = query["X-Amz-Expires"];
    const signedValue = query["X-Amz-SignedHeaders"];
    const signatureValue = query["X-Amz-Signature"];
    if (
      typeof credentialValue !== "string" ||
      typeof dateValue !== "string" ||
      typeof signedValue !== "string" ||
      typeof signatureValue !== "string" ||
      typeof expiresValue !== "string"
    ) {
      throw queryError(
        "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.",
      );
    }
    credential = parseCredential(credentialValue, () => queryError());
    const parsedDate = parseAmzDate(dateValue);
    if (!parsedDate || !/^\d{8}T\d{6}Z$/.test(dateValue)) throw queryError("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
    requestDate = parsedDate;
    amzDate = dateValue;
    const expires = Number(expiresValue);
    if (!/^\d+$/.test(expiresValue)) throw queryError("X-Amz-Expires should be a number");
    if (expires > MAX_PRESIGNED_SECONDS) throw queryError("X-Amz-Expires must be less than a week (in seconds) that is 604800 seconds");
    if (requestDate.getTime() - now.getTime() > MAX_SKEW_MS) throw s3Error("AccessDenied", "Request is not valid yet");
    if (now.getTime() > requestDate.getTime() + expires * 1000) throw s3Error("AccessDenied", "Request has expired");
    signedHeaders = signedValue.split(";");
    signature = signatureValue;
    const contentHash = query["X-Amz-Content-Sha256"] ?? request.headers["x-amz-content-sha256"];
    payloadHash = typeof contentHash === "string" ? contentHash : UNSIGNED_PAYLOAD;
  } else if (typeof authorization === "string" && authorization.length > 0) {
    const malformed = (message?: string) => s3Error("AuthorizationHeaderMalformed", message ?? "The authorization header is malformed.");
    if (!authorization.startsWith(`${ALGORITHM} `)) {
      if (authorization.startsWith("AWS ")) throw s3Error("AccessDenied", "Signature Version 2 is not supported; use AWS Signature Version 4.");
      throw malformed("The authorization header that you provided is not valid: the algorithm must be AWS4-HMAC-SHA256.");
    }
    const fields = new Map<string, string>();
    for (const part of authorization.slice(ALGORITHM.length + 1).split(",")) {
      const trimmed = part.trim();
      const equals = trimmed.indexOf("=");
      if (equals <= 0) throw malformed();
      fields.set(trimmed.slice(0, equals), trimmed.slice(equals + 1));
    }
    const credentialValue = fields.get("Credential");
    const signedValue = fields.get("SignedHeaders");
    const signatureValue = fields.get("Signature");
    if (!credentialValue || !signedValue || !signatureValue) throw malformed();
    credential = parseCredential(credentialValue, () =>
      malformed('The authorization header is malformed; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".'),
    );
    signedHeaders = signedValue.split(";");
    signature = signatureValue;
    const dateHeader = request.headers["x-amz-date"] ?? request.headers.date;
    const parsedDate = parseAmzDate(typeof dateHeader === "string" ? dateHeader : undefined);
    if (!parsedDate) throw s3Error("AccessDenied", "AWS authentication requires a valid Date or x-amz-date header");
    requestDate = parsedDate;
    amzDate = typeof request.headers["x-amz-date"] === "string" ? request.headers["x-amz-date"] : toAmzDate(parsedDate);
    if (Math.abs(now.getTime() - requestDate.getTime()) > MAX_SKEW_MS) throw s3Error("RequestTimeTooSkewed");
    const contentHash = request.headers["x-amz-content-sha256"];
    payloadHash = typeof contentHash === "string" && contentHash ? contentHash : EMPTY_SHA256;
  } else {
    throw s3Error("AccessDenied");
  }

  if (credential.accessKey !== options.credentials.accessKey) throw s3Error("InvalidAccessKeyId");
  if (options.region && credential.region !== options.region) {
    const code = presigned ? "AuthorizationQueryParametersError" : "AuthorizationHeaderMalformed";
    throw s3Error(code, `The authorization header is malformed; the region '${credential.region}' is wrong; expecting '${options.region}'.`);
  }
  if (credential.service !== "s3")
    throw s3Error(
      presigned ? "AuthorizationQueryParametersError" : "AuthorizationHeaderMalformed",
      `The authorization header is malformed; incorrect service "${credential.service}". This endpoint belongs to "s3".`,
    );
  if (credential.date !== amzDate.slice(0, 8)) throw s3Error("SignatureDoesNotMatch");
  if (!signedHeaders.includes("host")) throw s3Error("AccessDenied", "Host header must be signed");

  const canonicalHeaderLines: string[] = [];
  for (const name of signedHeaders) {
    const value = request.headers[name];
    if (value === undefined) throw s3Error("SignatureDoesNotMatch");
    const text = Array.isArray(value) ? value.join(",") : value;
    canonicalHeaderLines.push(`${name}:${text.trim().replace(/\s+/g, " ")}`);
  }
  const signedQuery = { ...query };
  if (presigned) delete signedQuery["X-Amz-Signature"];
  const canonicalQuery = getCanonicalQuery(new HttpRequest({ query: signedQuery }));
  const scope = `${credential.date}/${credential.region}/${credential.service}/aws4_request`;
  const signingKey = await getSigningKey(
    Sha256,
    { accessKeyId: options.credentials.accessKey, secretAccessKey: options.credentials.secretKey },
    credential.date,
    credential.region,
    credential.service,
  );

  const signatureFor = (canonicalPath: string): string => {
    const canonicalRequest = [request.method ?? "GET", canonicalPath, canonicalQuery, ...canonicalHeaderLines, "", signedHeaders.join(";"), payloadHash].join(
      "\n",
    );
    const stringToSign = `${ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonicalRequest)}`;
    return hmacHex(signingKey, stringToSign);
  };
  // Clients sign the path as they sent it; a few encode the wire path differently, so also try S3's encoding.
  let matched = sameSignature(signatureFor(rawPath), signature);
  if (!matched) {
    let decoded: string | undefined;
    try {
      decoded = decodeURIComponent(rawPath);
    } catch {
      decoded = undefined;
    }
    if (decoded !== undefined && s3EncodePath(decoded) !== rawPath) matched = sameSignature(signatureFor(s3EncodePath(decoded)), signature);
  }
  if (!matched) throw s3Error("SignatureDoesNotMatch");

  let payload: PayloadCheck;
  if (payloadHash === UNSIGNED_PAYLOAD) payload = { kind: "unsigned" };
  else if (payloadHash === STREAMING_SIGNED || payloadHash === STREAMING_SIGNED_TRAILER) {
    payload = {
      kind: "streaming",
      signed: true,
      trailer: payloadHash === STREAMING_SIGNED_TRAILER,
      chunkSigner: { amzDate, scope, signingKey, seedSignature: signature },
    };
  } else if (payloadHash === STREAMING_UNSIGNED_TRAILER) payload = { kind: "streaming", signed: false, trailer: true };
  else if (/^[0-9a-f]{64}$/.test(payloadHash)) payload = { kind: "sha256", sha256: payloadHash };
  else throw s3Error("XAmzContentSHA256Mismatch");
  return { accessKey: credential.accessKey, payload };
}
