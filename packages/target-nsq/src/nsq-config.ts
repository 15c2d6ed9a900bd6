import { ConfigError, type ParseContext, type RawTargetConfig } from "@s3notify/core";

export interface NsqTargetConfig {
  readonly host: string;
  readonly port: number;
  readonly topic: string;
  readonly tls: boolean;
  readonly tlsSkipVerify: boolean;
}

const ADDRESS = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/;
/** nsqd's own rule for topic names. */
const TOPIC_NAME = /^[.a-zA-Z0-9_-]{1,64}(#ephemeral)?$/;

/** Typed notify_nsq config; every problem is a ConfigError naming the key. */
export function parseNsqConfig(raw: RawTargetConfig, context: ParseContext): NsqTargetConfig {
  const fail = (key: string, reason: string): never => {
    throw new ConfigError({ subsystem: context.subsystem, targetId: context.targetId, key }, reason);
  };
  const address = (raw.nsqd_address ?? "").trim();
  if (address === "") fail("nsqd_address", "empty nsqdAddress");
  const match = ADDRESS.exec(address);
  if (!match || Number(match[2]) > 65535 || Number(match[2]) === 0) fail("nsqd_address", `invalid address '${address}': expected host:port`);
  const topic = (raw.topic ?? "").trim();
  if (topic === "") fail("topic", "empty topic");
  if (!TOPIC_NAME.test(topic)) fail("topic", `invalid topic name '${topic}': nsqd accepts 1-64 of [.a-zA-Z0-9_-]`);
  return {
    host: (match?.[1] ?? "").replace(/^\[|\]$/g, ""),
    port: Number(match?.[2]),
    topic,
    tls: raw.tls === "on",
    tlsSkipVerify: raw.tls_skip_verify === "on",
  };
}
