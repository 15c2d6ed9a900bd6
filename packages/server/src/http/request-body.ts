import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Readable } from "node:stream";
import { decodeAwsChunked } from "../auth/aws-chunked-decoder.js";
import type { AuthResult } from "../auth/sigv4-verifier.js";
import { ChecksumVerifier, checksumExpectation } from "../s3/payload-checksum.js";
import { s3Error } from "../s3/s3-errors.js";
import type { WriteOptions } from "../storage/file-object-store.js";

/** The decoded body stream and what it must hash to, per the request's payload mode. */
export function requestBody(
  request: IncomingMessage,
  auth: AuthResult,
): { body: Readable; checks: Pick<WriteOptions, "expectedSha256" | "expectedMd5" | "expectedLength" | "checksum"> } {
  const trailers = new Map<string, string>();
  const checksum = checksumExpectation(request.headers, trailers);
  const md5Header = request.headers["content-md5"];
  const expectedMd5 = typeof md5Header === "string" && md5Header ? md5Header : undefined;
  if (expectedMd5 !== undefined && Buffer.from(expectedMd5, "base64").length !== 16) throw s3Error("InvalidDigest");
  const contentLength = request.headers["content-length"] === undefined ? undefined : Number(request.headers["content-length"]);
  if (auth.payload.kind === "streaming") {
    const decodedHeader = request.headers["x-amz-decoded-content-length"];
    const decodedLength = typeof decodedHeader === "string" && /^\d+$/.test(decodedHeader) ? Number(decodedHeader) : undefined;
    if (decodedLength === undefined && auth.payload.signed)
      throw s3Error("MissingContentLength", "x-amz-decoded-content-length is required for aws-chunked uploads.");
    const body = decodeAwsChunked(request, {
      ...(auth.payload.chunkSigner ? { signer: auth.payload.chunkSigner } : {}),
      trailer: auth.payload.trailer,
      trailers,
      ...(decodedLength !== undefined ? { decodedLength } : {}),
    });
    return {
      body,
      checks: {
        ...(expectedMd5 ? { expectedMd5 } : {}),
        ...(decodedLength !== undefined ? { expectedLength: decodedLength } : {}),
        ...(checksum ? { checksum } : {}),
      },
    };
  }
  return {
    body: request,
    checks: {
      ...(auth.payload.kind === "sha256" ? { expectedSha256: auth.payload.sha256 } : {}),
      ...(expectedMd5 ? { expectedMd5 } : {}),
      ...(contentLength !== undefined && Number.isFinite(contentLength) ? { expectedLength: contentLength } : {}),
      ...(checksum ? { checksum } : {}),
    },
  };
}

/** Reads a small body (XML, JSON) into memory with the same checks as object uploads. */
export async function readSmallBody(request: IncomingMessage, auth: AuthResult, limit = 4 * 1024 * 1024): Promise<Buffer> {
  const { body, checks } = requestBody(request, auth);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > limit) throw s3Error("EntityTooLarge", "The request body is too large.");
    chunks.push(chunk as Buffer);
  }
  const data = Buffer.concat(chunks);
  if (checks.expectedLength !== undefined && data.length !== checks.expectedLength) throw s3Error("IncompleteBody");
  if (checks.expectedMd5 !== undefined && createHash("md5").update(data).digest("base64") !== checks.expectedMd5) throw s3Error("BadDigest");
  if (checks.expectedSha256 !== undefined && createHash("sha256").update(data).digest("hex") !== checks.expectedSha256)
    throw s3Error("XAmzContentSHA256Mismatch");
  if (checks.checksum) {
    const verifier = new ChecksumVerifier(checks.checksum);
    verifier.update(data);
    verifier.verify();
  }
  return data;
}
