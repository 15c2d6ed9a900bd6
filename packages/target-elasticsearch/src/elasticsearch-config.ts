import { ConfigError, type ConfigKeySpec, type ParseContext, type RawTargetConfig } from "@s3notify/core";
import type { CompatShape, ElasticsearchFormat, ElasticsearchTargetConfig } from "./types.js";

/** MinIO's `notify_elasticsearch` keys (facts §5.11) plus our `compat_shape` extension. */
export const ELASTICSEARCH_KEYS: readonly ConfigKeySpec[] = [
  { name: "url", default: "", required: true, help: "Elasticsearch server URL, http(s)://host:port; may embed user:password@" },
  { name: "format", default: "namespace", required: true, help: "'namespace' (one document per object) or 'access' (one document per event)" },
  { name: "index", default: "", required: true, help: "Elasticsearch index; created (without a mapping) when missing" },
  { name: "username", default: "", help: "basic auth user name (set together with password)" },
  { name: "password", default: "", secret: true, help: "basic auth password (set together with username)" },
  {
    name: "compat_shape",
    default: "current",
    help: "'current' uses today's MinIO hashed namespace document ids; 'legacy' uses the literal bucket/object ids of MinIO before 2021",
  },
];

/** Typed settings from the raw KV strings; throws a ConfigError naming the key. Never echoes a password. */
export function parseElasticsearchConfig(raw: RawTargetConfig, context: ParseContext): ElasticsearchTargetConfig {
  const fail = (key: string, reason: string): never => {
    throw new ConfigError({ subsystem: context.subsystem, targetId: context.targetId, key }, reason);
  };
  const value = (key: string): string => (raw[key] ?? "").trim();

  const rawUrl = value("url");
  if (rawUrl === "") fail("url", "empty URL");
  let parsed: URL | undefined;
  try {
    parsed = new URL(rawUrl);
  } catch {
    // The value may hold a password: never quote it.
    fail("url", "not a valid URL");
  }
  const url = parsed as URL;
  if (url.protocol !== "http:" && url.protocol !== "https:") fail("url", `unexpected scheme '${url.protocol.replace(/:$/, "")}', expected http or https`);
  if (url.hostname === "") fail("url", "URL has no host");
  const urlUsername = decodeURIComponent(url.username);
  const urlPassword = decodeURIComponent(url.password);
  url.username = "";
  url.password = "";

  const format = value("format").toLowerCase();
  if (format !== "namespace" && format !== "access") fail("format", "format value unrecognized");

  const index = value("index");
  if (index === "") fail("index", "empty index value");

  const username = value("username");
  const password = raw.password ?? "";
  if (username !== "" && password === "") fail("password", "username and password should be set in pairs");
  if (username === "" && password !== "") fail("username", "username and password should be set in pairs");

  const compatShape = value("compat_shape") || "current";
  if (compatShape !== "current" && compatShape !== "legacy") fail("compat_shape", `unrecognized value '${compatShape}', expected 'current' or 'legacy'`);

  return {
    url: url.toString().replace(/\/$/, ""),
    format: format as ElasticsearchFormat,
    index,
    username: username || urlUsername,
    password: username ? password : urlPassword,
    compatShape: compatShape as CompatShape,
  };
}
