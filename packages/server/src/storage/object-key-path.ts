import { resolve, sep } from "node:path";
import { s3Error } from "../s3/s3-errors.js";

/** Names inside a key's folder that belong to the store; a user segment may not start with this. */
export const RESERVED_SEGMENT_PREFIX = ".s3n";
/** Folder that holds a folder-marker object (`photos/`), so it cannot clash with the object `photos`. */
export const DIRECTORY_MARKER = ".s3n.dirmarker";

const MAX_KEY_BYTES = 1024;
const MAX_SEGMENT_BYTES = 255;

/**
 * Checks an object key and returns its folder's segments. Refuses anything that could name a path
 * outside the bucket: `.`/`..` segments, backslashes, NUL, empty segments (`a//b`, a leading `/`),
 * and names reserved by the store. Keys are the decoded names, so `%2e%2e/` arrives here as `../`.
 */
export function keySegments(key: string): string[] {
  if (key.length === 0 || Buffer.byteLength(key, "utf8") > MAX_KEY_BYTES)
    throw s3Error("XMinioInvalidObjectName", "Object name is empty or longer than 1024 bytes.");
  if (key.includes("\0") || key.includes("\\")) throw s3Error("XMinioInvalidObjectName");
  const segments = key.split("/");
  const directoryMarker = key.endsWith("/");
  if (directoryMarker) segments.pop();
  for (const segment of segments) {
    if (segment === "" || segment === "." || segment === "..")
      throw s3Error("XMinioInvalidObjectName", "Object name contains an empty, '.' or '..' path segment.");
    if (segment.startsWith(RESERVED_SEGMENT_PREFIX))
      throw s3Error("XMinioInvalidObjectName", `Object name segments may not start with '${RESERVED_SEGMENT_PREFIX}'.`);
    if (Buffer.byteLength(segment, "utf8") > MAX_SEGMENT_BYTES)
      throw s3Error("XMinioInvalidObjectName", "Object name has a path segment longer than 255 bytes.");
  }
  if (directoryMarker) segments.push(DIRECTORY_MARKER);
  return segments;
}

/** The folder that holds a key's data and metadata, checked to lie inside the bucket folder. */
export function keyFolder(bucketFolder: string, key: string): string {
  const root = resolve(bucketFolder);
  const folder = resolve(root, ...keySegments(key));
  if (!folder.startsWith(root + sep)) throw s3Error("XMinioInvalidObjectName");
  return folder;
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** S3 bucket naming rules as MinIO applies them (strict mode). */
export function isValidBucketName(name: string): boolean {
  if (!BUCKET_NAME.test(name)) return false;
  if (name.includes("..") || name.includes(".-") || name.includes("-.")) return false;
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return false;
  return true;
}
