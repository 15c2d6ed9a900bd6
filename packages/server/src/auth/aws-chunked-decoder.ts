import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { Readable } from "node:stream";
import { s3Error } from "../s3/s3-errors.js";
import { type ChunkSigner, EMPTY_SHA256 } from "./sigv4-verifier.js";

const MAX_LINE = 4096;
const MAX_CHUNK = 16 * 1024 * 1024;

/** Pulls lines and exact byte counts out of a byte stream. */
class ByteReader {
  private buffered: Buffer = Buffer.alloc(0);
  private ended = false;
  private readonly iterator: AsyncIterator<Buffer>;

  constructor(source: AsyncIterable<Buffer>) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  private async fill(): Promise<boolean> {
    if (this.ended) return false;
    const next = await this.iterator.next();
    if (next.done) {
      this.ended = true;
      return false;
    }
    this.buffered = this.buffered.length === 0 ? next.value : Buffer.concat([this.buffered, next.value]);
    return true;
  }

  async line(): Promise<string> {
    for (;;) {
      const end = this.buffered.indexOf("\r\n");
      if (end >= 0) {
        const line = this.buffered.subarray(0, end).toString("latin1");
        this.buffered = this.buffered.subarray(end + 2);
        return line;
      }
      if (this.buffered.length > MAX_LINE) throw s3Error("IncompleteBody", "An aws-chunked header line is too long.");
      if (!(await this.fill())) throw s3Error("IncompleteBody");
    }
  }

  async exactly(length: number): Promise<Buffer> {
    while (this.buffered.length < length) {
      if (!(await this.fill())) throw s3Error("IncompleteBody");
    }
    const bytes = this.buffered.subarray(0, length);
    this.buffered = this.buffered.subarray(length);
    return bytes;
  }
}

function sameHex(expected: string, given: string): boolean {
  const left = Buffer.from(expected);
  const right = Buffer.from(given);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Strips aws-chunked framing (`<hex size>[;chunk-signature=<sig>]\r\n<data>\r\n`, a zero chunk,
 * then optional trailers) and checks each chunk signature against the chain seeded by the
 * request signature. Yields only verified data; any mismatch fails the stream with an S3 error.
 */
export function decodeAwsChunked(
  source: AsyncIterable<Buffer>,
  options: { signer?: ChunkSigner; trailer: boolean; decodedLength?: number; trailers?: Map<string, string> },
): Readable {
  async function* decode(): AsyncGenerator<Buffer> {
    const reader = new ByteReader(source);
    const signer = options.signer;
    let previousSignature = signer?.seedSignature ?? "";
    let total = 0;
    for (;;) {
      const header = await reader.line();
      const [sizeText = "", ...extensions] = header.split(";");
      if (!/^[0-9a-fA-F]{1,8}$/.test(sizeText.trim())) throw s3Error("IncompleteBody", "Malformed aws-chunked chunk header.");
      const size = Number.parseInt(sizeText.trim(), 16);
      if (size > MAX_CHUNK) throw s3Error("EntityTooLarge", "An aws-chunked chunk is larger than 16 MiB.");
      const data = size > 0 ? await reader.exactly(size) : Buffer.alloc(0);
      if (signer) {
        const signatureExtension = extensions.find((extension) => extension.startsWith("chunk-signature="));
        if (!signatureExtension) throw s3Error("SignatureDoesNotMatch", "An aws-chunked chunk carries no chunk-signature.");
        const given = signatureExtension.slice("chunk-signature=".length);
        const stringToSign = [
          "AWS4-HMAC-SHA256-PAYLOAD",
          signer.amzDate,
          signer.scope,
          previousSignature,
          EMPTY_SHA256,
          createHash("sha256").update(data).digest("hex"),
        ].join("\n");
        const expected = createHmac("sha256", signer.signingKey).update(stringToSign).digest("hex");
        if (!sameHex(expected, given)) throw s3Error("SignatureDoesNotMatch");
        previousSignature = expected;
      }
      if (size === 0) break;
      const separator = await reader.exactly(2);
      if (separator.toString("latin1") !== "\r\n") throw s3Error("IncompleteBody", "Malformed aws-chunked chunk.");
      total += size;
      if (options.decodedLength !== undefined && total > options.decodedLength) throw s3Error("IncompleteBody");
      yield data;
    }
    if (options.trailer) {
      const trailerLines: string[] = [];
      let trailerSignature: string | undefined;
      for (;;) {
        const line = await reader.line();
        if (line === "") break;
        if (line.startsWith("x-amz-trailer-signature:")) trailerSignature = line.slice("x-amz-trailer-signature:".length).trim();
        else {
          trailerLines.push(line);
          const colon = line.indexOf(":");
          if (colon > 0) options.trailers?.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
        }
      }
      if (signer) {
        if (!trailerSignature) throw s3Error("SignatureDoesNotMatch", "The aws-chunked trailer carries no signature.");
        const trailerText = trailerLines.map((line) => `${line}\n`).join("");
        const stringToSign = [
          "AWS4-HMAC-SHA256-TRAILER",
          signer.amzDate,
          signer.scope,
          previousSignature,
          createHash("sha256").update(trailerText).digest("hex"),
        ].join("\n");
        const expected = createHmac("sha256", signer.signingKey).update(stringToSign).digest("hex");
        if (!sameHex(expected, trailerSignature)) throw s3Error("SignatureDoesNotMatch");
      }
    } else {
      // The zero chunk ends with an empty line.
      await reader.line().catch(() => "");
    }
    if (options.decodedLength !== undefined && total !== options.decodedLength) throw s3Error("IncompleteBody");
  }
  return Readable.from(decode(), { objectMode: false });
}
