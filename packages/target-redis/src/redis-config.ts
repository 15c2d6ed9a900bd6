import { ConfigError, type ConfigKeySpec, type ParseContext, type RawTargetConfig } from "@s3notify/core";
import type { CompatShape, RedisFormat, RedisTargetConfig } from "./types.js";

/** MinIO's `notify_redis` keys (facts §5.10) plus our `compat_shape` and `tls` extensions. */
export const REDIS_KEYS: readonly ConfigKeySpec[] = [
  { name: "format", default: "namespace", required: true, help: "'namespace' (one hash field per object) or 'access' (append every event to a list)" },
  { name: "address", default: "", required: true, help: "Redis server address, host:port (port 6379 when left out)" },
  { name: "key", default: "", required: true, help: "Redis key of the hash (namespace) or list (access)" },
  { name: "password", default: "", secret: true, help: "Redis password (AUTH)" },
  { name: "user", default: "", help: "Redis ACL user, used only together with the password" },
  {
    name: "compat_shape",
    default: "current",
    help: "'current' writes the values of today's MinIO; 'legacy' writes the older documented access value [eventTime, {\"Records\":[...]}]",
  },
  { name: "tls", default: "off", help: "'on' connects with TLS (an s3notify extension: MinIO has no TLS for Redis)" },
];

const HOST_PORT = /^(?:\[(?<ipv6>[^\]]+)\]|(?<host>[^:[\]]+))(?::(?<port>\d+))?$/;

/** Typed settings from the raw KV strings; throws a ConfigError naming the key. */
export function parseRedisConfig(raw: RawTargetConfig, context: ParseContext): RedisTargetConfig {
  const fail = (key: string, reason: string): never => {
    throw new ConfigError({ subsystem: context.subsystem, targetId: context.targetId, key }, reason);
  };
  const value = (key: string): string => (raw[key] ?? "").trim();

  // MinIO lower-cases the format when validating; we also deliver with the lower-cased value.
  const format = value("format").toLowerCase();
  if (format !== "namespace" && format !== "access") fail("format", "unrecognized format");

  const address = value("address");
  if (address === "") fail("address", "empty address");
  const match = HOST_PORT.exec(address);
  const host = match?.groups?.ipv6 ?? match?.groups?.host;
  const port = match?.groups?.port === undefined ? 6379 : Number(match.groups.port);
  if (!host || !Number.isInteger(port) || port < 1 || port > 65535) fail("address", `invalid address '${address}', expected host:port`);

  const key = value("key");
  if (key === "") fail("key", "empty key");

  const compatShape = value("compat_shape") || "current";
  if (compatShape !== "current" && compatShape !== "legacy") fail("compat_shape", `unrecognized value '${compatShape}', expected 'current' or 'legacy'`);

  return {
    format: format as RedisFormat,
    host: host as string,
    port,
    key,
    password: raw.password ?? "",
    user: value("user"),
    compatShape: compatShape as CompatShape,
    // MinIO's rule for boolean keys other than enable: only the literal "on" is true.
    tls: value("tls") === "on",
  };
}
