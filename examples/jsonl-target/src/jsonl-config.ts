import { isAbsolute } from "node:path";
import { ConfigError, type ConfigKeySpec, type ParseContext, type RawTargetConfig } from "@s3notify/core";
import type { JsonlConfig } from "./types.js";

/** The keys of `notify_jsonl` beyond core's common ones (enable, queue_dir, queue_limit, comment). */
export const JSONL_KEYS: readonly ConfigKeySpec[] = [
  { name: "path", default: "", required: true, help: "absolute path of the JSON Lines file, e.g. /var/log/s3notify/events.jsonl" },
  { name: "fsync", default: "off", kind: "bool", help: "'on' to fsync the file after every batch" },
];

/** Typed settings from the raw KV values; throws a ConfigError naming the key. */
export function parseJsonlConfig(raw: RawTargetConfig, context: ParseContext): JsonlConfig {
  const location = (key: string) => ({ subsystem: context.subsystem, targetId: context.targetId, key });
  const path = (raw.path ?? "").trim();
  if (path === "") throw new ConfigError(location("path"), "path empty: give the absolute path of the JSON Lines file");
  if (!isAbsolute(path)) throw new ConfigError(location("path"), `path must be absolute, got ${JSON.stringify(path)}`);
  if (path.endsWith("/")) throw new ConfigError(location("path"), `path must name a file, not a folder: ${JSON.stringify(path)}`);
  if (path.includes("\u0000")) throw new ConfigError(location("path"), "path contains a NUL byte");
  const fsync = (raw.fsync ?? "off").trim();
  if (fsync !== "on" && fsync !== "off" && fsync !== "") {
    throw new ConfigError(location("fsync"), `fsync must be 'on' or 'off', got ${JSON.stringify(fsync)}`);
  }
  return { path, fsync: fsync === "on" };
}
