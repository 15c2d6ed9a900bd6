import { highwayHash256 } from "./highway-hash.js";
import type { CompatShape } from "./types.js";

/** The fixed HighwayHash key MinIO hashes document ids with (facts §6.10). */
const MINIO_DOCUMENT_ID_KEY = Buffer.from("4be734fa8e238acd263e83e6bb968552040f935da39f441497e09d1322de36a0", "hex");

/**
 * The namespace document id for `bucket/object`: base64url with padding of HighwayHash-256 (today's
 * MinIO), or the literal path (`legacy`, the ids of MinIO releases before 2021).
 */
export function namespaceDocumentId(path: string, compatShape: CompatShape = "current"): string {
  if (compatShape === "legacy") return path;
  // Node's base64url drops the padding that Go's base64.URLEncoding keeps.
  return `${Buffer.from(highwayHash256(MINIO_DOCUMENT_ID_KEY, Buffer.from(path, "utf8"))).toString("base64url")}=`;
}
