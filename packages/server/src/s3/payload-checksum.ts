import { createHash, type Hash } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { crc32 } from "node:zlib";
import { s3Error } from "./s3-errors.js";

/** Algorithms of S3's flexible checksums this host can compute; others (crc32c, crc64nvme) are accepted unchecked. */
const CHECKED = ["crc32", "sha1", "sha256"] as const;
type CheckedAlgorithm = (typeof CHECKED)[number];

/** An `x-amz-checksum-<algorithm>` the body must match; the value may only be known after the body (a trailer). */
export interface ChecksumExpectation {
  readonly algorithm: CheckedAlgorithm;
  expected(): string | undefined;
}

/** Computes one flexible checksum over a body, chunk by chunk. */
export class ChecksumVerifier {
  private crc = 0;
  private readonly hash: Hash | undefined;

  constructor(private readonly expectation: ChecksumExpectation) {
    this.hash = expectation.algorithm === "crc32" ? undefined : createHash(expectation.algorithm);
  }

  update(chunk: Buffer): void {
    if (this.hash) this.hash.update(chunk);
    else this.crc = crc32(chunk, this.crc);
  }

  /** Throws BadDigest when the body does not match. */
  verify(): void {
    const expected = this.expectation.expected();
    if (expected === undefined) return;
    let actual: string;
    if (this.hash) actual = this.hash.digest("base64");
    else {
      const bytes = Buffer.alloc(4);
      bytes.writeUInt32BE(this.crc >>> 0);
      actual = bytes.toString("base64");
    }
    if (actual !== expected) throw s3Error("BadDigest", `The ${this.expectation.algorithm.toUpperCase()} you specified did not match the calculated checksum.`);
  }
}

function checkedAlgorithm(name: string): CheckedAlgorithm | undefined {
  return (CHECKED as readonly string[]).includes(name) ? (name as CheckedAlgorithm) : undefined;
}

/** The checksum a request declares: in an `x-amz-checksum-*` header, or named by `x-amz-trailer` and read from the trailers. */
export function checksumExpectation(headers: IncomingHttpHeaders, trailers: ReadonlyMap<string, string>): ChecksumExpectation | undefined {
  const trailer = headers["x-amz-trailer"];
  if (typeof trailer === "string") {
    const name = trailer.trim().toLowerCase();
    const algorithm = name.startsWith("x-amz-checksum-") ? checkedAlgorithm(name.slice("x-amz-checksum-".length)) : undefined;
    if (algorithm) return { algorithm, expected: () => trailers.get(name) };
    return undefined;
  }
  for (const algorithm of CHECKED) {
    const value = headers[`x-amz-checksum-${algorithm}`];
    if (typeof value === "string" && value) return { algorithm, expected: () => value };
  }
  return undefined;
}
