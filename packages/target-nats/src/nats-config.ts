import { ConfigError, type ConfigKeySpec, type ParseContext, type RawTargetConfig } from "@s3notify/core";
import type { NatsConfig } from "./types.js";

/** MinIO's `notify_nats` keys (facts §5.6); core adds enable, queue_dir, queue_limit, comment. */
export const NATS_KEYS: readonly ConfigKeySpec[] = [
  { name: "address", default: "", required: true, help: "NATS server address, e.g. '0.0.0.0:4222' (a comma-separated list is accepted)" },
  { name: "subject", default: "", required: true, help: "NATS subject to publish to" },
  { name: "username", default: "", help: "NATS username (with password)" },
  { name: "password", default: "", secret: true, help: "NATS password (with username)" },
  { name: "token", default: "", secret: true, help: "NATS token" },
  { name: "tls", default: "off", help: "'on' to connect with TLS" },
  { name: "tls_skip_verify", default: "off", help: "'on' to skip verification of the server's TLS certificate" },
  { name: "cert_authority", default: "", help: "path to a CA certificate file that signs the server's certificate" },
  { name: "client_cert", default: "", help: "path to a client certificate file (with client_key)" },
  { name: "client_key", default: "", help: "path to a client key file (with client_cert)" },
  { name: "ping_interval", default: "0", help: "client ping interval in seconds (an integer; accepted and, like MinIO, unused)" },
  { name: "jetstream", default: "off", help: "'on' to publish through JetStream (a stream must capture the subject)" },
  { name: "streaming", default: "off", help: "'on' to publish through NATS Streaming (deprecated: end-of-life upstream, use jetstream)" },
  { name: "streaming_async", default: "off", help: "'on' to publish to NATS Streaming without waiting for acks (deprecated)" },
  { name: "streaming_max_pub_acks_in_flight", default: "0", help: "most unacknowledged NATS Streaming publishes (0: client default; deprecated)" },
  { name: "streaming_cluster_id", default: "", help: "NATS Streaming cluster id, required with streaming (deprecated)" },
  { name: "user_credentials", default: "", envOnly: true, envName: "USER_CREDENTIALS", help: "path to a NATS .creds file (environment only)" },
  { name: "nkey_seed", default: "", envOnly: true, envName: "NKEY_SEED", help: "path to an NKey seed file (environment only)" },
  { name: "tls_handshake_first", default: "off", envOnly: true, envName: "TLS_HANDSHAKE_FIRST", help: "'on' for a TLS-first handshake (environment only)" },
];

const HOST_PORT = /^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?$/;

function isOn(value: string | undefined): boolean {
  return value === "on";
}

export function parseNatsConfig(raw: RawTargetConfig, context: ParseContext): NatsConfig {
  const fail = (key: string, reason: string): never => {
    throw new ConfigError({ subsystem: context.subsystem, targetId: context.targetId, key }, reason);
  };
  const value = (key: string): string => (raw[key] ?? "").trim();

  const address = value("address");
  if (address === "") fail("address", "empty address");
  const servers = address
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  for (const server of servers) {
    const match = HOST_PORT.exec(server);
    if (!match || (match[1] !== undefined && Number(match[1]) > 65535)) fail("address", `invalid address '${server}' (expected host:port)`);
  }
  if (servers.length === 0) fail("address", "empty address");

  const subject = value("subject");
  if (subject === "") fail("subject", "empty subject");
  if (/[\s*>]/.test(subject) || subject.startsWith(".") || subject.endsWith(".") || subject.includes("..")) fail("subject", `invalid subject '${subject}'`);

  const username = raw.username ?? "";
  const password = raw.password ?? "";
  if ((username === "") !== (password === "")) fail(username === "" ? "username" : "password", "username and password must be specified as a pair");
  const clientCert = value("client_cert");
  const clientKey = value("client_key");
  if ((clientCert === "") !== (clientKey === "")) fail(clientCert === "" ? "client_cert" : "client_key", "cert and key must be specified as a pair");

  const integer = (key: string): number => {
    const text = value(key) === "" ? "0" : value(key);
    if (!/^[+-]?\d+$/.test(text)) return fail(key, `invalid integer '${text}'`);
    return Number(text);
  };
  const pingInterval = integer("ping_interval");
  const streamingMaxPubAcksInFlight = integer("streaming_max_pub_acks_in_flight");

  const streaming = isOn(raw.streaming);
  const streamingClusterId = value("streaming_cluster_id");
  if (streaming && streamingClusterId === "") fail("streaming_cluster_id", "empty cluster id");

  return {
    servers,
    subject,
    username,
    password,
    token: raw.token ?? "",
    tls: isOn(raw.tls),
    tlsSkipVerify: isOn(raw.tls_skip_verify),
    certAuthority: value("cert_authority"),
    clientCert,
    clientKey,
    pingInterval,
    jetstream: isOn(raw.jetstream),
    streaming,
    streamingAsync: isOn(raw.streaming_async),
    streamingMaxPubAcksInFlight,
    streamingClusterId,
    userCredentials: value("user_credentials"),
    nkeySeed: value("nkey_seed"),
    tlsHandshakeFirst: isOn(raw.tls_handshake_first),
  };
}
