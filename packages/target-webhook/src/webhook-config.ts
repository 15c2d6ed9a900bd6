import { accessSync, constants as fsConstants } from "node:fs";
import { ConfigError, type ConfigKeySpec, type ParseContext, type RawTargetConfig } from "@s3notify/core";
import type { WebhookConfig } from "./types.js";

/** The keys of `notify_webhook` beyond core's common ones (facts §5.2). */
export const WEBHOOK_KEYS: readonly ConfigKeySpec[] = [
  {
    name: "endpoint",
    default: "",
    required: true,
    envName: "ENDPOINT",
    help: "webhook server endpoint e.g. http://localhost:8080/minio/events",
  },
  {
    name: "auth_token",
    default: "",
    secret: true,
    envName: "AUTH_TOKEN",
    help: "opaque string or JWT authorization token",
  },
  {
    name: "client_cert",
    default: "",
    envName: "CLIENT_CERT",
    help: "client cert for Webhook mTLS auth",
  },
  {
    name: "client_key",
    default: "",
    envName: "CLIENT_KEY",
    help: "client cert key for Webhook mTLS auth",
  },
];

function readable(path: string): boolean {
  try {
    accessSync(path, fsConstants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** Typed settings from the raw KV values; throws a ConfigError naming the key (never a secret value). */
export function parseWebhookConfig(raw: RawTargetConfig, context: ParseContext): WebhookConfig {
  const location = (key: string) => ({ subsystem: context.subsystem, targetId: context.targetId, key });
  const endpoint = (raw.endpoint ?? "").trim();
  if (endpoint === "") throw new ConfigError(location("endpoint"), "endpoint empty");
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch (error) {
    throw new ConfigError(location("endpoint"), "invalid URL", { cause: error });
  }
  const scheme = url.protocol.replace(/:$/, "");
  if (scheme !== "http" && scheme !== "https") throw new ConfigError(location("endpoint"), `unexpected scheme found ${scheme}`);
  if (url.hostname === "") throw new ConfigError(location("endpoint"), "empty host");

  const clientCert = (raw.client_cert ?? "").trim();
  const clientKey = (raw.client_key ?? "").trim();
  if ((clientCert === "") !== (clientKey === "")) {
    throw new ConfigError(location(clientCert === "" ? "client_cert" : "client_key"), "cert and key must be specified as a pair");
  }
  if (clientCert !== "" && !readable(clientCert)) throw new ConfigError(location("client_cert"), `cannot read ${clientCert}`);
  if (clientKey !== "" && !readable(clientKey)) throw new ConfigError(location("client_key"), `cannot read ${clientKey}`);

  return Object.freeze({ endpoint, authToken: raw.auth_token ?? "", clientCert, clientKey });
}

/**
 * MinIO's header rule (facts §6.1): the token split on whitespace; two fields → verbatim
 * (`Bearer xyz`, `Token abc`), one field → `Bearer <token>`, otherwise no header.
 */
export function authorizationHeader(authToken: string): string | undefined {
  const fields = authToken
    .trim()
    .split(/\s+/)
    .filter((field) => field !== "");
  if (fields.length === 2) return authToken.trim();
  if (fields.length === 1) return `Bearer ${fields[0]}`;
  return undefined;
}

/** The endpoint without a password in its userinfo: safe for messages. */
export function redactEndpoint(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    if (url.password === "") return endpoint;
    url.password = "REDACTED";
    return url.toString();
  } catch {
    return endpoint;
  }
}
