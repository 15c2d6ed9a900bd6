import { ConfigError, isOn, type ParseContext, parseGoDuration, parseUnsignedInt, type RawTargetConfig } from "@s3notify/core";

export type KafkaSaslMechanism = "plain" | "scram-sha-256" | "scram-sha-512";
export type KafkaCompression = "none" | "gzip" | "snappy";

export interface KafkaTargetConfig {
  readonly brokers: readonly string[];
  readonly topic: string;
  readonly sasl?: { readonly mechanism: KafkaSaslMechanism; readonly username: string; readonly password: string };
  readonly tls?: { readonly skipVerify: boolean; readonly clientCertFile?: string; readonly clientKeyFile?: string };
  readonly batchSize: number;
  readonly compression: KafkaCompression;
  /** 0, 1 or -1 (all). */
  readonly acks: 0 | 1 | -1;
}

const DEFAULT_BATCH_SIZE = 100;
const SASL_MECHANISMS: Record<string, KafkaSaslMechanism> = {
  plain: "plain",
  sha256: "scram-sha-256",
  "scram-sha-256": "scram-sha-256",
  sha512: "scram-sha-512",
  "scram-sha-512": "scram-sha-512",
};
const BROKER_ADDRESS = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/;

/** Typed notify_kafka config; every problem is a ConfigError naming the key. */
export function parseKafkaConfig(raw: RawTargetConfig, context: ParseContext): KafkaTargetConfig {
  const fail = (key: string, reason: string): never => {
    throw new ConfigError({ subsystem: context.subsystem, targetId: context.targetId, key }, reason);
  };
  const value = (key: string) => (raw[key] ?? "").trim();
  const on = (key: string) => isOn(value(key));
  const at = (key: string) => ({ subsystem: context.subsystem, targetId: context.targetId, key });

  const brokers = value("brokers")
    .split(",")
    .map((broker) => broker.trim())
    .filter((broker) => broker !== "");
  if (brokers.length === 0) fail("brokers", "kafka 'brokers' cannot be empty");
  for (const broker of brokers) {
    const match = BROKER_ADDRESS.exec(broker);
    if (!match || Number(match[2]) > 65535) fail("brokers", `invalid broker address '${broker}': expected host:port`);
  }
  const topic = value("topic");
  if (topic === "") fail("topic", "empty topic");
  if (!/^[a-zA-Z0-9._-]{1,249}$/.test(topic)) fail("topic", `invalid topic name '${topic}': use letters, digits, '.', '_' and '-'`);

  let sasl: KafkaTargetConfig["sasl"];
  if (on("sasl")) {
    const mechanism = SASL_MECHANISMS[value("sasl_mechanism").toLowerCase() || "plain"];
    if (!mechanism) fail("sasl_mechanism", `unknown SASL mechanism '${value("sasl_mechanism")}': use plain, sha256 or sha512`);
    if (value("sasl_username") === "") fail("sasl_username", "SASL is on but the username is empty");
    sasl = { mechanism: mechanism as KafkaSaslMechanism, username: value("sasl_username"), password: raw.sasl_password ?? "" };
  }

  const certFile = value("client_tls_cert");
  const keyFile = value("client_tls_key");
  if ((certFile === "") !== (keyFile === "")) fail(certFile === "" ? "client_tls_cert" : "client_tls_key", "cert and key must be specified as a pair");
  const clientAuth = value("tls_client_auth") || "0";
  if (!/^[0-4]$/.test(clientAuth)) fail("tls_client_auth", `'${clientAuth}' is not a TLS client auth type (0-4)`);
  const tls = on("tls") ? { skipVerify: on("tls_skip_verify"), ...(certFile ? { clientCertFile: certFile, clientKeyFile: keyFile } : {}) } : undefined;

  const requestedBatch = parseUnsignedInt(value("batch_size") || "0", at("batch_size"));
  const batchSize = requestedBatch > 1 ? requestedBatch : DEFAULT_BATCH_SIZE;
  if (batchSize > 10_000) fail("batch_size", "must be at most 10000");
  parseGoDuration(value("batch_commit_timeout") || "0s", at("batch_commit_timeout"));

  const codec = value("compression_codec").toLowerCase() || "none";
  if (codec !== "none" && codec !== "gzip" && codec !== "snappy")
    fail("compression_codec", `'${codec}' is not supported by this target: use none, gzip or snappy`);

  const acksText = value("acks").toLowerCase() || "1";
  const acks = acksText === "all" || acksText === "-1" ? -1 : acksText === "0" ? 0 : acksText === "1" ? 1 : fail("acks", `'${acksText}' is not 0, 1 or all`);

  return { brokers, topic, ...(sasl ? { sasl } : {}), ...(tls ? { tls } : {}), batchSize, compression: codec as KafkaCompression, acks: acks as 0 | 1 | -1 };
}
