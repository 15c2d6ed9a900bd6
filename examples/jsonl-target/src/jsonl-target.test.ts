import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  buildEventRecord,
  ConfigError,
  createTargetRegistry,
  type EventRecord,
  envNameFor,
  isRetryable,
  loadNotifyConfig,
  logEnvelopeJson,
  TargetBatchError,
  validateNotifyConfig,
} from "@s3notify/core";
import { fullTargetValues } from "@s3notify/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import jsonlTargetPlugin, { JsonlTarget, parseJsonlConfig } from "./index.js";

const context = { targetId: "1", subsystem: "notify_jsonl" };
const targetContext = { targetId: { id: "1", type: "jsonl" } };

function record(key: string, index = 0): EventRecord {
  const time = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, index));
  return buildEventRecord(
    { eventName: "s3:ObjectCreated:Put", bucket: "uploads", key, size: 10 + index, eTag: `etag${index}`, modTime: time, eventTime: time },
    { escapeKey: true },
  );
}

function configError(values: Record<string, string>): ConfigError {
  try {
    parseJsonlConfig(fullTargetValues(jsonlTargetPlugin, values), context);
  } catch (error) {
    return error as ConfigError;
  }
  throw new Error("parseJsonlConfig accepted the config");
}

describe("jsonl plugin", () => {
  it("declares its type, ARN type and keys", () => {
    expect(jsonlTargetPlugin.type).toBe("jsonl");
    expect(jsonlTargetPlugin.arnType).toBe("jsonl");
    expect(jsonlTargetPlugin.apiVersion).toBe(1);
    expect(jsonlTargetPlugin.keys.map((key) => key.name)).toEqual(["path", "fsync"]);
    expect(envNameFor(jsonlTargetPlugin, "path", "1")).toBe("MINIO_NOTIFY_JSONL_PATH_1");
  });

  it("parses path and fsync", () => {
    expect(parseJsonlConfig(fullTargetValues(jsonlTargetPlugin, { path: "/var/log/events.jsonl" }), context)).toEqual({
      path: "/var/log/events.jsonl",
      fsync: false,
    });
    expect(parseJsonlConfig(fullTargetValues(jsonlTargetPlugin, { path: " /x/e.jsonl ", fsync: "on" }), context)).toEqual({ path: "/x/e.jsonl", fsync: true });
  });

  it.each([
    ["empty path", { path: "" }, "path", "notify_jsonl:1: path: path empty"],
    ["relative path", { path: "relative/path" }, "path", 'notify_jsonl:1: path: path must be absolute, got "relative/path"'],
    ["a folder", { path: "/tmp/" }, "path", "notify_jsonl:1: path: path must name a file"],
    ["fsync=true", { path: "/tmp/e.jsonl", fsync: "true" }, "fsync", "notify_jsonl:1: fsync: fsync must be 'on' or 'off'"],
  ])("refuses %s naming the key", (_description, values, key, message) => {
    const error = configError(values);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.key).toBe(key);
    expect(error.message.startsWith(message)).toBe(true);
  });

  it("is configured from MINIO_NOTIFY_JSONL_* and validated by core", () => {
    const registry = createTargetRegistry();
    registry.register(jsonlTargetPlugin);
    const config = loadNotifyConfig({
      registry,
      env: { MINIO_NOTIFY_JSONL_ENABLE_1: "on", MINIO_NOTIFY_JSONL_PATH_1: "/tmp/e.jsonl", MINIO_NOTIFY_JSONL_FSYNC_1: "on" },
    });
    const [validated] = validateNotifyConfig(config, registry);
    expect(validated?.config).toEqual({ path: "/tmp/e.jsonl", fsync: true });
    const bad = loadNotifyConfig({ registry, env: { MINIO_NOTIFY_JSONL_ENABLE_1: "on", MINIO_NOTIFY_JSONL_PATH_1: "relative/path" } });
    expect(() => validateNotifyConfig(bad, registry)).toThrow(/notify_jsonl:1: path: /);
  });
});

describe("JsonlTarget", () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), "s3notify-jsonl-"));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("open() creates the folder; send() appends one envelope line per record, in order", async () => {
    const path = join(root, "a", "b", "events.jsonl");
    const target = new JsonlTarget({ path, fsync: true }, targetContext);
    expect(await target.isActive()).toBe(false);
    await target.open();
    expect((await stat(join(root, "a", "b"))).isDirectory()).toBe(true);
    expect(await target.isActive()).toBe(true);
    const first = [record("one.jpg", 1), record("two words.jpg", 2)];
    const second = [record("three.jpg", 3)];
    await target.send(first);
    await target.send(second);
    const expected = [...first, ...second].map((item) => `${logEnvelopeJson(item)}\n`).join("");
    expect(await readFile(path, "utf8")).toBe(expected);
    expect(JSON.parse((await readFile(path, "utf8")).split("\n")[1] as string).Key).toBe("uploads/two words.jpg");
    await target.close();
    await target.close();
  });

  it("a write error is retryable and leaves no partial line; the next send succeeds", async () => {
    const folder = join(root, "events");
    const path = join(folder, "events.jsonl");
    const target = new JsonlTarget({ path, fsync: false }, targetContext);
    await target.open();
    await target.send([record("before.txt")]);
    await rm(folder, { recursive: true });
    await writeFile(folder, "a file where the folder was");
    expect(await target.isActive()).toBe(false);
    const error = await target.send([record("during.txt")]).catch((caught: unknown) => caught);
    expect(isRetryable(error)).toBe(true);
    expect((error as Error).message).toContain("ENOTDIR");
    expect((error as Error).cause).toMatchObject({ code: "ENOTDIR" });
    await rm(folder);
    // The folder is gone altogether: send() makes it again.
    await target.send([record("after.txt")]);
    expect(await readFile(path, "utf8")).toBe(`${logEnvelopeJson(record("after.txt"))}\n`);
  });

  it("a record that cannot be serialized is permanent; the others of the batch are written", async () => {
    const path = join(root, "events.jsonl");
    const target = new JsonlTarget({ path, fsync: false }, targetContext);
    await target.open();
    const bad = record("bad.txt");
    (bad.s3.object as Record<string, unknown>).size = 10n; // JSON cannot hold a BigInt
    const error = await target.send([record("good-1.txt"), bad, record("good-2.txt")]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TargetBatchError);
    expect((error as TargetBatchError).delivered).toEqual([0, 2]);
    expect(isRetryable(error)).toBe(false);
    expect(await readFile(path, "utf8")).toBe([record("good-1.txt"), record("good-2.txt")].map((item) => `${logEnvelopeJson(item)}\n`).join(""));
    const alone = await target.send([bad]).catch((caught: unknown) => caught);
    expect(isRetryable(alone)).toBe(false);
    expect((alone as Error).message).toContain("cannot serialize");
  });

  it("isActive() is false when the path is a folder", async () => {
    const path = join(root, "events.jsonl");
    await mkdir(path);
    const target = new JsonlTarget({ path, fsync: false }, targetContext);
    await target.open();
    expect(await target.isActive()).toBe(false);
    expect(isRetryable(await target.send([record("x")]).catch((caught: unknown) => caught))).toBe(true);
  });
});
