import { ConfigError, type ConfigKeySpec, type ParseContext, type RawTargetConfig } from "@s3notify/core";
import type { AmqpConfig } from "./types.js";

/** MinIO's `notify_amqp` keys (facts §5.3); core adds enable, queue_dir, queue_limit, comment. */
export const AMQP_KEYS: readonly ConfigKeySpec[] = [
  { name: "url", default: "", required: true, secret: true, help: "AMQP 0-9-1 server URL, e.g. amqp://user:password@localhost:5672/vhost (amqp or amqps)" },
  { name: "exchange", default: "", help: "name of the exchange to publish to; empty publishes to the default exchange" },
  { name: "exchange_type", default: "", help: "exchange type: direct, fanout, topic, headers or an x- plugin type" },
  { name: "routing_key", default: "", help: "routing key for publishing" },
  { name: "mandatory", default: "off", help: "'on' to set the mandatory flag (unroutable messages are returned)" },
  { name: "durable", default: "off", help: "'on' to declare a durable exchange" },
  { name: "internal", default: "off", help: "'on' to declare an internal exchange" },
  { name: "no_wait", default: "off", help: "'on' to set no-wait on the exchange declaration" },
  { name: "auto_deleted", default: "off", help: "'on' to declare an auto-deleted exchange" },
  { name: "delivery_mode", default: "0", help: "message delivery mode: 0 unset, 1 transient, 2 persistent" },
  { name: "publisher_confirms", default: "off", envName: "PUBLISHING_CONFIRMS", help: "'on' to wait for the broker's publisher confirms" },
];

const STANDARD_EXCHANGE_TYPES = new Set(["direct", "fanout", "topic", "headers"]);

/** MinIO compares every boolean key except `enable` literally to `on` (facts §5.1). */
export function isOn(value: string | undefined): boolean {
  return value === "on";
}

/** The URL with any password replaced by `***`. Never throws: an unparsable URL becomes `<invalid url>`. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "<invalid url>";
  }
}

export function parseAmqpConfig(raw: RawTargetConfig, context: ParseContext): AmqpConfig {
  const fail = (key: string, reason: string): never => {
    throw new ConfigError({ subsystem: context.subsystem, targetId: context.targetId, key }, reason);
  };
  const url = (raw.url ?? "").trim();
  if (url === "") fail("url", "must not be empty");
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    // The value is a secret: say what is wrong without echoing it.
    fail("url", "not a valid URL (expected amqp://user:password@host:port/vhost)");
  }
  if (parsed?.protocol !== "amqp:" && parsed?.protocol !== "amqps:")
    fail("url", `unsupported scheme '${parsed?.protocol.replace(/:$/, "")}' (expected amqp or amqps)`);
  if (parsed?.hostname === "") fail("url", "has no host");

  const exchange = raw.exchange ?? "";
  const exchangeType = (raw.exchange_type ?? "").trim();
  if (exchangeType !== "" && !STANDARD_EXCHANGE_TYPES.has(exchangeType) && !exchangeType.startsWith("x-")) {
    fail("exchange_type", `unknown exchange type '${exchangeType}' (expected direct, fanout, topic, headers or an x- plugin type)`);
  }
  if (exchange !== "" && exchangeType === "") fail("exchange_type", `must be set when exchange '${exchange}' is set`);

  const deliveryModeText = (raw.delivery_mode ?? "0").trim();
  if (!/^[012]$/.test(deliveryModeText)) fail("delivery_mode", `invalid value '${deliveryModeText}' (expected 0, 1 or 2)`);

  return {
    url,
    redactedUrl: redactUrl(url),
    exchange,
    exchangeType,
    routingKey: raw.routing_key ?? "",
    mandatory: isOn(raw.mandatory),
    durable: isOn(raw.durable),
    internal: isOn(raw.internal),
    noWait: isOn(raw.no_wait),
    autoDeleted: isOn(raw.auto_deleted),
    deliveryMode: Number(deliveryModeText) as 0 | 1 | 2,
    publisherConfirms: isOn(raw.publisher_confirms),
  };
}
