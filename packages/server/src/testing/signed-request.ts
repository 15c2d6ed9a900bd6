import { createHash, createHmac } from "node:crypto";
import { request as httpRequest } from "node:http";
import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { getSigningKey, SignatureV4 } from "@smithy/signature-v4";

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

export interface SignedRequestOptions {
  readonly url: string;
  readonly method: string;
  /** Sent exactly as given (no normalisation), e.g. `/bucket/..%2Fx`. */
  readonly path: string;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly body?: Buffer | string;
  readonly credentials: { accessKey: string; secretKey: string };
  readonly signingDate?: Date;
  /** x-amz-content-sha256 to sign instead of the body's hash. */
  readonly contentSha256?: string;
  readonly unsigned?: boolean;
}

function wireQuery(query: Record<string, string> | undefined): string {
  if (!query || Object.keys(query).length === 0) return "";
  return `?${Object.entries(query)
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
    .join("&")}`;
}

export function signer(credentials: { accessKey: string; secretKey: string }, region = "us-east-1"): SignatureV4 {
  return new SignatureV4({
    credentials: { accessKeyId: credentials.accessKey, secretAccessKey: credentials.secretKey },
    region,
    service: "s3",
    sha256: Sha256,
    uriEscapePath: false,
    applyChecksum: false,
  });
}

/** Sends a raw HTTP request, no path normalisation. */
export function sendRaw(
  url: string,
  method: string,
  pathAndQuery: string,
  headers: Record<string, string>,
  body?: Buffer | string | AsyncIterable<Buffer>,
): Promise<RawResponse> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ host: target.hostname, port: target.port, method, path: pathAndQuery, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString("utf8") }));
      response.on("error", reject);
    });
    outgoing.on("error", reject);
    if (body === undefined || typeof body === "string" || Buffer.isBuffer(body)) outgoing.end(body);
    else
      (async () => {
        for await (const chunk of body) outgoing.write(chunk);
        outgoing.end();
      })().catch(reject);
  });
}

/** A request signed with @smithy/signature-v4 (header auth), sent without path normalisation. */
export async function signedRequest(options: SignedRequestOptions): Promise<RawResponse> {
  const target = new URL(options.url);
  const body = options.body === undefined ? Buffer.alloc(0) : Buffer.from(options.body);
  const headers: Record<string, string> = {
    host: target.host,
    "x-amz-content-sha256": options.contentSha256 ?? createHash("sha256").update(body).digest("hex"),
    ...options.headers,
  };
  if (body.length > 0 || options.method === "PUT" || options.method === "POST") headers["content-length"] = String(body.length);
  const request = new HttpRequest({
    method: options.method,
    protocol: "http:",
    hostname: target.hostname,
    port: Number(target.port),
    path: options.path,
    query: options.query ?? {},
    headers,
    body,
  });
  const signed = options.unsigned ? request : await signer(options.credentials).sign(request, options.signingDate ? { signingDate: options.signingDate } : {});
  return sendRaw(options.url, options.method, `${options.path}${wireQuery(options.query)}`, signed.headers as Record<string, string>, body);
}

/** A presigned URL path+query made by @smithy/signature-v4. */
export async function presignedPath(options: {
  url: string;
  method: string;
  path: string;
  credentials: { accessKey: string; secretKey: string };
  expiresIn: number;
  signingDate?: Date;
}): Promise<string> {
  const target = new URL(options.url);
  const request = new HttpRequest({
    method: options.method,
    protocol: "http:",
    hostname: target.hostname,
    port: Number(target.port),
    path: options.path,
    query: {},
    headers: { host: target.host, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
  });
  const presigned = await signer(options.credentials).presign(request, {
    expiresIn: options.expiresIn,
    ...(options.signingDate ? { signingDate: options.signingDate } : {}),
  });
  return `${options.path}${wireQuery(presigned.query as Record<string, string>)}`;
}

/**
 * An aws-chunked STREAMING-AWS4-HMAC-SHA256-PAYLOAD upload: the seed signature from
 * @smithy/signature-v4, each chunk signature chained on the previous (AWS's documented scheme).
 */
export async function streamingSignedPut(options: {
  url: string;
  path: string;
  chunks: Buffer[];
  credentials: { accessKey: string; secretKey: string };
  tamperChunk?: number;
}): Promise<RawResponse> {
  const target = new URL(options.url);
  const signingDate = new Date();
  const amzDate = signingDate
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
  const shortDate = amzDate.slice(0, 8);
  const decodedLength = options.chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const framed = (size: number, signature: string) => Buffer.byteLength(`${size.toString(16)};chunk-signature=${signature}\r\n`) + size + 2;
  const contentLength = [...options.chunks.map((chunk) => framed(chunk.length, "0".repeat(64))), framed(0, "0".repeat(64))].reduce(
    (sum, length) => sum + length,
    0,
  );
  const headers: Record<string, string> = {
    host: target.host,
    "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
    "content-encoding": "aws-chunked",
    "x-amz-decoded-content-length": String(decodedLength),
    "content-length": String(contentLength),
  };
  const request = new HttpRequest({
    method: "PUT",
    protocol: "http:",
    hostname: target.hostname,
    port: Number(target.port),
    path: options.path,
    query: {},
    headers,
  });
  const signed = await signer(options.credentials).sign(request, { signingDate });
  const authorization = String(signed.headers.authorization ?? signed.headers.Authorization);
  let previous = /Signature=([0-9a-f]{64})/.exec(authorization)?.[1] ?? "";
  const signingKey = await getSigningKey(
    Sha256,
    { accessKeyId: options.credentials.accessKey, secretAccessKey: options.credentials.secretKey },
    shortDate,
    "us-east-1",
    "s3",
  );
  const scope = `${shortDate}/us-east-1/s3/aws4_request`;
  const emptyHash = createHash("sha256").update("").digest("hex");
  const parts: Buffer[] = [];
  for (const [index, chunk] of [...options.chunks, Buffer.alloc(0)].entries()) {
    const stringToSign = ["AWS4-HMAC-SHA256-PAYLOAD", amzDate, scope, previous, emptyHash, createHash("sha256").update(chunk).digest("hex")].join("\n");
    const signature = createHmac("sha256", signingKey).update(stringToSign).digest("hex");
    previous = signature;
    const sent = index === options.tamperChunk ? Buffer.from(chunk.map((byte) => byte ^ 1)) : chunk;
    parts.push(Buffer.from(`${chunk.length.toString(16)};chunk-signature=${signature}\r\n`), sent, Buffer.from("\r\n"));
  }
  return sendRaw(options.url, "PUT", options.path, signed.headers as Record<string, string>, Buffer.concat(parts));
}
