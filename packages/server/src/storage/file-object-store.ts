import { createHash, randomUUID } from "node:crypto";
import { createReadStream, createWriteStream, type Dirent } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { mkdir, open, readdir, readFile, rename, rm, rmdir, stat, unlink } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { Readable } from "node:stream";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { type ChecksumExpectation, ChecksumVerifier } from "../s3/payload-checksum.js";
import { s3Error } from "../s3/s3-errors.js";
import { KeyLock } from "./key-lock.js";
import { DIRECTORY_MARKER, isValidBucketName, keyFolder, RESERVED_SEGMENT_PREFIX } from "./object-key-path.js";

const META_FILE = ".s3n.meta.json";
const DATA_PREFIX = ".s3n.data.";
const SYSTEM_FOLDER = ".s3notify";
const MIN_PART_SIZE = 5 * 1024 * 1024;
const MAX_PARTS = 10_000;

/** What the sidecar JSON of an object holds. */
export interface ObjectInfo {
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  /** Without quotes; `<hex>-<parts>` for multipart uploads. */
  readonly etag: string;
  readonly contentType: string;
  /** ISO time with milliseconds. */
  readonly lastModified: string;
  /** Modification time in Unix nanoseconds (decimal string), for the event sequencer. */
  readonly modTimeNs: string;
  /** Canonical `X-Amz-Meta-Name` keys. */
  readonly userMetadata: Readonly<Record<string, string>>;
  /** Stored standard headers (cache-control, content-disposition, content-encoding, content-language, expires). */
  readonly headers: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
  /** Data file name inside the key folder. */
  readonly dataFile: string;
}

export interface WriteOptions {
  readonly contentType?: string;
  readonly userMetadata?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly tags?: Record<string, string>;
  /** Hex SHA-256 the body must have (x-amz-content-sha256). */
  readonly expectedSha256?: string;
  /** Base64 MD5 the body must have (Content-MD5). */
  readonly expectedMd5?: string;
  /** Bytes the body must have (Content-Length). */
  readonly expectedLength?: number;
  /** A flexible checksum (x-amz-checksum-*) the body must match. */
  readonly checksum?: ChecksumExpectation;
}

export interface BucketInfo {
  readonly name: string;
  readonly creationDate: string;
}

export interface ListOptions {
  readonly prefix?: string;
  readonly delimiter?: string;
  /** Exclusive: list keys after this one (continuation token or StartAfter). */
  readonly after?: string;
  readonly maxKeys: number;
}

export interface ListResult {
  readonly objects: ObjectInfo[];
  readonly commonPrefixes: string[];
  readonly isTruncated: boolean;
  /** Last key or prefix returned, to continue after. */
  readonly lastEntry?: string;
}

export interface UploadInfo {
  readonly uploadId: string;
  readonly bucket: string;
  readonly key: string;
  readonly initiated: string;
  readonly contentType: string;
  readonly userMetadata: Record<string, string>;
  readonly headers: Record<string, string>;
  readonly tags: Record<string, string>;
}

export interface PartInfo {
  readonly partNumber: number;
  readonly etag: string;
  readonly size: number;
  readonly lastModified: string;
}

export interface OpenedObject {
  readonly info: ObjectInfo;
  /** Streams [start, end] inclusive, or the whole object. The file stays readable even if replaced meanwhile. */
  stream(range?: { start: number; end: number }): Readable;
  close(): Promise<void>;
}

function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);
}

function compareBytes(left: string, right: string): number {
  return Buffer.compare(Buffer.from(left, "utf8"), Buffer.from(right, "utf8"));
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
}

/**
 * Buckets and objects on the local filesystem. Every write goes to a temp file in the data dir
 * and is renamed into place; the sidecar metadata rename is the commit, so a reader sees the old
 * object or the new one, never half of one, and a crash mid-upload leaves the old object intact.
 */
export class FileObjectStore {
  readonly dataDir: string;
  private readonly systemDir: string;
  private readonly tmpDir: string;
  private readonly locks = new KeyLock();

  constructor(dataDir: string) {
    this.dataDir = resolve(dataDir);
    this.systemDir = join(this.dataDir, SYSTEM_FOLDER);
    this.tmpDir = join(this.systemDir, "tmp");
  }

  async init(): Promise<void> {
    await rm(this.tmpDir, { recursive: true, force: true });
    await mkdir(this.tmpDir, { recursive: true });
    await mkdir(join(this.systemDir, "buckets"), { recursive: true });
    await mkdir(join(this.systemDir, "multipart"), { recursive: true });
  }

  /** The deployment id, made once and kept in the data dir. */
  async deploymentId(): Promise<string> {
    const file = join(this.systemDir, "deployment-id");
    try {
      const existing = (await readFile(file, "utf8")).trim();
      if (existing) return existing;
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
    const id = randomUUID();
    await this.writeFileAtomic(file, `${id}\n`);
    return id;
  }

  /** A folder under the system dir for the host's own files (bucket rules, config). */
  systemPath(...parts: string[]): string {
    return join(this.systemDir, ...parts);
  }

  async writeFileAtomic(file: string, content: string | Buffer, mode = 0o644): Promise<void> {
    const temp = join(this.tmpDir, randomUUID());
    const handle = await open(temp, "w", mode);
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await mkdir(dirname(file), { recursive: true });
    await rename(temp, file);
  }

  // --- buckets ---------------------------------------------------------------------------------

  private bucketDir(bucket: string): string {
    if (!isValidBucketName(bucket)) throw s3Error("InvalidBucketName");
    return join(this.dataDir, bucket);
  }

  private bucketMetaFile(bucket: string): string {
    return join(this.systemDir, "buckets", bucket, "bucket.json");
  }

  async bucketExists(bucket: string): Promise<boolean> {
    try {
      return (await stat(this.bucketDir(bucket))).isDirectory();
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  async assertBucket(bucket: string): Promise<void> {
    if (!(await this.bucketExists(bucket))) throw s3Error("NoSuchBucket");
  }

  async listBuckets(): Promise<BucketInfo[]> {
    const entries = await readdir(this.dataDir, { withFileTypes: true });
    const buckets: BucketInfo[] = [];
    for (const entry of entries) {
      if (!entry.isDirectory() || !isValidBucketName(entry.name)) continue;
      buckets.push({ name: entry.name, creationDate: await this.bucketCreated(entry.name) });
    }
    return buckets.sort((left, right) => compareBytes(left.name, right.name));
  }

  private async bucketCreated(bucket: string): Promise<string> {
    try {
      const meta = JSON.parse(await readFile(this.bucketMetaFile(bucket), "utf8")) as { created?: string };
      if (meta.created) return meta.created;
    } catch {
      // A bucket folder made by hand has no metadata: use the folder's time.
    }
    return (await stat(join(this.dataDir, bucket))).mtime.toISOString();
  }

  async createBucket(bucket: string): Promise<void> {
    const folder = this.bucketDir(bucket);
    await this.locks.run(`bucket:${bucket}`, async () => {
      try {
        await mkdir(folder);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "EEXIST") throw s3Error("BucketAlreadyOwnedByYou");
        throw error;
      }
      await this.writeFileAtomic(this.bucketMetaFile(bucket), JSON.stringify({ created: new Date().toISOString() }));
    });
  }

  async deleteBucket(bucket: string): Promise<void> {
    const folder = this.bucketDir(bucket);
    await this.locks.run(`bucket:${bucket}`, async () => {
      await this.assertBucket(bucket);
      if (await this.hasObjects(folder)) throw s3Error("BucketNotEmpty");
      await rm(folder, { recursive: true, force: true });
      await rm(join(this.systemDir, "buckets", bucket), { recursive: true, force: true });
      for (const upload of await this.allUploads()) {
        if (upload.bucket === bucket) await rm(this.uploadDir(upload.uploadId), { recursive: true, force: true });
      }
    });
  }

  private async hasObjects(folder: string): Promise<boolean> {
    let entries: Dirent[];
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
    for (const entry of entries) {
      if (entry.name === META_FILE) return true;
      if (entry.isDirectory() && (await this.hasObjects(join(folder, entry.name)))) return true;
    }
    return false;
  }

  // --- objects ---------------------------------------------------------------------------------

  private async readInfo(folder: string): Promise<ObjectInfo | undefined> {
    try {
      return JSON.parse(await readFile(join(folder, META_FILE), "utf8")) as ObjectInfo;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async headObject(bucket: string, key: string): Promise<ObjectInfo> {
    const folder = keyFolder(this.bucketDir(bucket), key);
    await this.assertBucket(bucket);
    const info = await this.readInfo(folder);
    if (!info) throw s3Error("NoSuchKey");
    return info;
  }

  /** Opens the current version; the open file keeps its bytes even if a writer replaces the object. */
  async openObject(bucket: string, key: string): Promise<OpenedObject> {
    const folder = keyFolder(this.bucketDir(bucket), key);
    await this.assertBucket(bucket);
    for (let attempt = 0; attempt < 5; attempt++) {
      const info = await this.readInfo(folder);
      if (!info) throw s3Error("NoSuchKey");
      let handle: FileHandle;
      try {
        handle = await open(join(folder, info.dataFile), "r");
      } catch (error) {
        if (isMissing(error)) continue; // replaced between reading the metadata and opening: read again
        throw error;
      }
      const opened = handle;
      return {
        info,
        stream(range) {
          return opened.createReadStream({ start: range?.start ?? 0, end: range?.end ?? Math.max(0, info.size - 1), autoClose: false, emitClose: true });
        },
        close: () => opened.close(),
      };
    }
    throw s3Error("InternalError", "The object changed too often while being read.");
  }

  /** Streams the body into a temp file, checking length and digests; returns the temp path, size and MD5. */
  private async receive(body: Readable, options: WriteOptions): Promise<{ temp: string; size: number; md5: Buffer }> {
    const temp = join(this.tmpDir, randomUUID());
    const md5 = createHash("md5");
    const sha256 = options.expectedSha256 ? createHash("sha256") : undefined;
    const checksum = options.checksum ? new ChecksumVerifier(options.checksum) : undefined;
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        size += chunk.length;
        md5.update(chunk);
        sha256?.update(chunk);
        checksum?.update(chunk);
        callback(null, chunk);
      },
    });
    const output = createWriteStream(temp, { flush: true });
    try {
      await pipeline(body, meter, output);
      if (options.expectedLength !== undefined && size !== options.expectedLength) throw s3Error("IncompleteBody");
      const digest = md5.digest();
      if (options.expectedMd5 !== undefined && digest.toString("base64") !== options.expectedMd5) throw s3Error("BadDigest");
      if (sha256 && sha256.digest("hex") !== options.expectedSha256) throw s3Error("XAmzContentSHA256Mismatch");
      checksum?.verify();
      return { temp, size, md5: digest };
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  /** Moves a received data file into the key folder and commits new metadata; removes the old data. */
  private async commit(
    bucket: string,
    key: string,
    temp: string,
    fields: Omit<ObjectInfo, "bucket" | "key" | "dataFile" | "lastModified" | "modTimeNs">,
  ): Promise<ObjectInfo> {
    const folder = keyFolder(this.bucketDir(bucket), key);
    return this.locks.run(`object:${bucket}/${key}`, async () => {
      await this.assertBucket(bucket);
      const previous = await this.readInfo(folder);
      const modTime = nowNs();
      const info: ObjectInfo = {
        bucket,
        key,
        ...fields,
        lastModified: new Date(Number(modTime / 1_000_000n)).toISOString(),
        modTimeNs: modTime.toString(),
        dataFile: `${DATA_PREFIX}${randomUUID()}`,
      };
      for (let attempt = 0; ; attempt++) {
        try {
          await mkdir(folder, { recursive: true });
          await rename(temp, join(folder, info.dataFile));
          break;
        } catch (error) {
          // A concurrent delete may remove the empty parent folders between mkdir and rename.
          if (!isMissing(error) || attempt >= 3) throw error;
        }
      }
      await this.writeFileAtomic(join(folder, META_FILE), JSON.stringify(info));
      if (previous && previous.dataFile !== info.dataFile) await rm(join(folder, previous.dataFile), { force: true });
      return info;
    });
  }

  async putObject(bucket: string, key: string, body: Readable, options: WriteOptions): Promise<ObjectInfo> {
    keyFolder(this.bucketDir(bucket), key);
    await this.assertBucket(bucket);
    const received = await this.receive(body, options);
    try {
      return await this.commit(bucket, key, received.temp, {
        size: received.size,
        etag: received.md5.toString("hex"),
        contentType: options.contentType ?? "binary/octet-stream",
        userMetadata: options.userMetadata ?? {},
        headers: options.headers ?? {},
        tags: options.tags ?? {},
      });
    } finally {
      await rm(received.temp, { force: true });
    }
  }

  async copyObject(
    source: { bucket: string; key: string },
    bucket: string,
    key: string,
    replace: WriteOptions | undefined,
    tags: Record<string, string> | undefined,
  ): Promise<ObjectInfo> {
    keyFolder(this.bucketDir(bucket), key);
    await this.assertBucket(bucket);
    const opened = await this.openObject(source.bucket, source.key);
    let received: { temp: string; size: number; md5: Buffer };
    try {
      received = await this.receive(opened.stream(), {});
    } finally {
      await opened.close();
    }
    const from = opened.info;
    try {
      return await this.commit(bucket, key, received.temp, {
        size: received.size,
        etag: from.etag,
        contentType: replace ? (replace.contentType ?? "binary/octet-stream") : from.contentType,
        userMetadata: replace ? (replace.userMetadata ?? {}) : from.userMetadata,
        headers: replace ? (replace.headers ?? {}) : from.headers,
        tags: tags ?? from.tags,
      });
    } finally {
      await rm(received.temp, { force: true });
    }
  }

  /** Replaces the tag set; returns the updated object. */
  async setTags(bucket: string, key: string, tags: Record<string, string>): Promise<ObjectInfo> {
    const folder = keyFolder(this.bucketDir(bucket), key);
    return this.locks.run(`object:${bucket}/${key}`, async () => {
      await this.assertBucket(bucket);
      const info = await this.readInfo(folder);
      if (!info) throw s3Error("NoSuchKey");
      const updated: ObjectInfo = { ...info, tags };
      await this.writeFileAtomic(join(folder, META_FILE), JSON.stringify(updated));
      return updated;
    });
  }

  /** Deletes an object; returns what was deleted, or undefined when it did not exist. */
  async deleteObject(bucket: string, key: string): Promise<ObjectInfo | undefined> {
    const bucketFolder = this.bucketDir(bucket);
    const folder = keyFolder(bucketFolder, key);
    return this.locks.run(`object:${bucket}/${key}`, async () => {
      await this.assertBucket(bucket);
      const info = await this.readInfo(folder);
      if (!info) return undefined;
      await unlink(join(folder, META_FILE));
      await rm(join(folder, info.dataFile), { force: true });
      await this.pruneEmptyFolders(folder, resolve(bucketFolder));
      return info;
    });
  }

  private async pruneEmptyFolders(folder: string, stopAt: string): Promise<void> {
    let current = folder;
    while (current !== stopAt && current.startsWith(stopAt)) {
      try {
        await rmdir(current);
      } catch {
        return; // not empty (or already gone): the parents are not empty either
      }
      current = dirname(current);
    }
  }

  // --- listing ---------------------------------------------------------------------------------

  /** Every key of the bucket under `prefix`, in UTF-8 byte order. */
  private async keysUnder(bucket: string, prefix: string): Promise<string[]> {
    const root = this.bucketDir(bucket);
    // Start at the deepest folder the prefix names completely, when it is a safe path.
    const folderPart = prefix.slice(0, prefix.lastIndexOf("/") + 1);
    let start = root;
    let base = "";
    if (
      folderPart
        ?.split("/")
        .slice(0, -1)
        .every(
          (segment) =>
            segment &&
            segment !== "." &&
            segment !== ".." &&
            !segment.startsWith(RESERVED_SEGMENT_PREFIX) &&
            !segment.includes("\\") &&
            !segment.includes("\0"),
        )
    ) {
      start = join(root, ...folderPart.split("/").slice(0, -1));
      base = folderPart;
    }
    const keys: string[] = [];
    const walk = async (folder: string, keyBase: string): Promise<void> => {
      let entries: Dirent[];
      try {
        entries = await readdir(folder, { withFileTypes: true });
      } catch (error) {
        if (isMissing(error)) return;
        throw error;
      }
      for (const entry of entries) {
        if (entry.name === META_FILE && keyBase) keys.push(keyBase.slice(0, -1));
        else if (entry.name === DIRECTORY_MARKER && entry.isDirectory()) {
          try {
            await stat(join(folder, entry.name, META_FILE));
            keys.push(keyBase);
          } catch {
            // an empty marker folder left by a crash
          }
        } else if (entry.isDirectory() && !entry.name.startsWith(RESERVED_SEGMENT_PREFIX)) {
          await walk(join(folder, entry.name), `${keyBase}${entry.name}/`);
        }
      }
    };
    await walk(start, base);
    return keys.filter((key) => key.startsWith(prefix)).sort(compareBytes);
  }

  async listObjects(bucket: string, options: ListOptions): Promise<ListResult> {
    await this.assertBucket(bucket);
    const prefix = options.prefix ?? "";
    const keys = await this.keysUnder(bucket, prefix);
    const objects: ObjectInfo[] = [];
    const commonPrefixes: string[] = [];
    let lastEntry: string | undefined;
    let isTruncated = false;
    let count = 0;
    for (const key of keys) {
      if (options.after !== undefined && compareBytes(key, options.after) <= 0) continue;
      let commonPrefix: string | undefined;
      if (options.delimiter) {
        const index = key.indexOf(options.delimiter, prefix.length);
        if (index >= 0) commonPrefix = key.slice(0, index + options.delimiter.length);
      }
      if (commonPrefix !== undefined) {
        if (commonPrefix === lastEntry) continue;
        // A continuation token pointing at a common prefix skips every key under it.
        if (options.after?.startsWith(commonPrefix)) continue;
      }
      if (count >= options.maxKeys) {
        isTruncated = true;
        break;
      }
      if (commonPrefix !== undefined) {
        commonPrefixes.push(commonPrefix);
        lastEntry = commonPrefix;
      } else {
        const info = await this.readInfo(keyFolder(this.bucketDir(bucket), key));
        if (!info) continue;
        objects.push(info);
        lastEntry = key;
      }
      count++;
    }
    return { objects, commonPrefixes, isTruncated, ...(lastEntry === undefined ? {} : { lastEntry }) };
  }

  // --- multipart -------------------------------------------------------------------------------

  private uploadDir(uploadId: string): string {
    if (!/^[0-9a-f-]{36}$/.test(uploadId)) throw s3Error("NoSuchUpload");
    return join(this.systemDir, "multipart", uploadId);
  }

  private async readUpload(bucket: string, key: string, uploadId: string): Promise<UploadInfo> {
    const folder = this.uploadDir(uploadId);
    await this.assertBucket(bucket);
    let upload: UploadInfo;
    try {
      upload = JSON.parse(await readFile(join(folder, "upload.json"), "utf8")) as UploadInfo;
    } catch (error) {
      if (isMissing(error)) throw s3Error("NoSuchUpload");
      throw error;
    }
    if (upload.bucket !== bucket || upload.key !== key) throw s3Error("NoSuchUpload");
    return upload;
  }

  async createUpload(bucket: string, key: string, options: WriteOptions): Promise<UploadInfo> {
    keyFolder(this.bucketDir(bucket), key);
    await this.assertBucket(bucket);
    const upload: UploadInfo = {
      uploadId: randomUUID(),
      bucket,
      key,
      initiated: new Date().toISOString(),
      contentType: options.contentType ?? "binary/octet-stream",
      userMetadata: options.userMetadata ?? {},
      headers: options.headers ?? {},
      tags: options.tags ?? {},
    };
    await this.writeFileAtomic(join(this.uploadDir(upload.uploadId), "upload.json"), JSON.stringify(upload));
    return upload;
  }

  async uploadPart(bucket: string, key: string, uploadId: string, partNumber: number, body: Readable, options: WriteOptions): Promise<PartInfo> {
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PARTS)
      throw s3Error("InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive");
    await this.readUpload(bucket, key, uploadId);
    const folder = this.uploadDir(uploadId);
    const received = await this.receive(body, options);
    const name = `part-${String(partNumber).padStart(5, "0")}`;
    const part: PartInfo = { partNumber, etag: received.md5.toString("hex"), size: received.size, lastModified: new Date().toISOString() };
    try {
      await rename(received.temp, join(folder, `${name}.data`));
    } catch (error) {
      await rm(received.temp, { force: true });
      if (isMissing(error)) throw s3Error("NoSuchUpload");
      throw error;
    }
    await this.writeFileAtomic(join(folder, `${name}.json`), JSON.stringify(part));
    return part;
  }

  async listParts(bucket: string, key: string, uploadId: string): Promise<{ upload: UploadInfo; parts: PartInfo[] }> {
    const upload = await this.readUpload(bucket, key, uploadId);
    const folder = this.uploadDir(uploadId);
    const parts: PartInfo[] = [];
    for (const name of (await readdir(folder)).sort()) {
      if (!/^part-\d{5}\.json$/.test(name)) continue;
      parts.push(JSON.parse(await readFile(join(folder, name), "utf8")) as PartInfo);
    }
    return { upload, parts };
  }

  /** Uploads in progress for a bucket, by key then start time. */
  async listUploads(bucket: string, prefix = ""): Promise<UploadInfo[]> {
    await this.assertBucket(bucket);
    return (await this.allUploads()).filter((upload) => upload.bucket === bucket && upload.key.startsWith(prefix));
  }

  private async allUploads(): Promise<UploadInfo[]> {
    const uploads: UploadInfo[] = [];
    for (const name of await readdir(join(this.systemDir, "multipart"))) {
      try {
        uploads.push(JSON.parse(await readFile(join(this.systemDir, "multipart", name, "upload.json"), "utf8")) as UploadInfo);
      } catch {
        // completed or aborted meanwhile
      }
    }
    return uploads.sort((left, right) => compareBytes(left.key, right.key) || left.initiated.localeCompare(right.initiated));
  }

  async abortUpload(bucket: string, key: string, uploadId: string): Promise<void> {
    await this.readUpload(bucket, key, uploadId);
    await rm(this.uploadDir(uploadId), { recursive: true, force: true });
  }

  async completeUpload(bucket: string, key: string, uploadId: string, requested: readonly { partNumber: number; etag: string }[]): Promise<ObjectInfo> {
    return this.locks.run(`upload:${uploadId}`, async () => {
      const { upload, parts } = await this.listParts(bucket, key, uploadId);
      if (requested.length === 0) throw s3Error("MalformedXML", "You must specify at least one part");
      const byNumber = new Map(parts.map((part) => [part.partNumber, part]));
      const chosen: PartInfo[] = [];
      let previousNumber = 0;
      for (const [index, entry] of requested.entries()) {
        if (entry.partNumber <= previousNumber) throw s3Error("InvalidPartOrder");
        previousNumber = entry.partNumber;
        const part = byNumber.get(entry.partNumber);
        if (!part || part.etag !== entry.etag.replace(/"/g, "")) throw s3Error("InvalidPart");
        if (index < requested.length - 1 && part.size < MIN_PART_SIZE) throw s3Error("EntityTooSmall");
        chosen.push(part);
      }
      const folder = this.uploadDir(uploadId);
      const temp = join(this.tmpDir, randomUUID());
      const output = await open(temp, "w");
      let size = 0;
      try {
        for (const part of chosen) {
          const name = `part-${String(part.partNumber).padStart(5, "0")}.data`;
          for await (const chunk of createReadStream(join(folder, name))) {
            await output.write(chunk as Buffer);
            size += (chunk as Buffer).length;
          }
        }
        await output.sync();
      } finally {
        await output.close();
      }
      const etagHash = createHash("md5");
      for (const part of chosen) etagHash.update(Buffer.from(part.etag, "hex"));
      try {
        const info = await this.commit(bucket, key, temp, {
          size,
          etag: `${etagHash.digest("hex")}-${chosen.length}`,
          contentType: upload.contentType,
          userMetadata: upload.userMetadata,
          headers: upload.headers,
          tags: upload.tags,
        });
        await rm(folder, { recursive: true, force: true });
        return info;
      } finally {
        await rm(temp, { force: true });
      }
    });
  }

  /** Writes a small system file atomically (bucket rules, the admin config; `private` for files holding secrets). */
  async writeSystemFile(relative: string[], content: string, options: { private?: boolean } = {}): Promise<void> {
    await this.writeFileAtomic(join(this.systemDir, ...relative), content, options.private ? 0o600 : 0o644);
  }

  async readSystemFile(relative: string[]): Promise<string | undefined> {
    try {
      return await readFile(join(this.systemDir, ...relative), "utf8");
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async removeSystemFile(relative: string[]): Promise<void> {
    await rm(join(this.systemDir, ...relative), { force: true });
  }
}
