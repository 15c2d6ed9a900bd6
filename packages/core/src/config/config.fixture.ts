import { ConfigError } from "../errors/config-error.js";
import { defineTargetPlugin } from "../plugin/define-target-plugin.js";
import { createTargetRegistry } from "../plugin/target-registry.js";
import type { Target, TargetRegistry } from "../types.js";
import { isOn } from "./values.js";

function fakeTarget(id: { id: string; type: string }): Target {
  return {
    id,
    capabilities: { maxBatchSize: 1, ordered: true },
    open: async () => {},
    send: async () => {},
    isActive: async () => true,
    close: async () => {},
  };
}

/** A webhook-like plugin for config tests. */
export const webhookLike = defineTargetPlugin({
  type: "webhook",
  keys: [
    { name: "endpoint", default: "", required: true, help: "URL" },
    { name: "auth_token", default: "", secret: true, help: "token" },
    { name: "client_cert", default: "", help: "cert" },
    { name: "client_key", default: "", help: "key" },
  ],
  parseConfig(raw, context) {
    const endpoint = raw.endpoint ?? "";
    const scheme = /^([a-z]+):\/\//.exec(endpoint)?.[1];
    if (scheme !== "http" && scheme !== "https") throw new ConfigError({ ...context, key: "endpoint" }, `unexpected scheme found ${scheme ?? ""}`);
    if ((raw.client_cert === "") !== (raw.client_key === ""))
      throw new ConfigError({ ...context, key: "client_cert" }, "cert and key must be specified as a pair");
    return { endpoint, authToken: raw.auth_token };
  },
  create: (_config, context) => fakeTarget(context.targetId),
});

/** A postgres-like plugin: slug `postgres`, ARN/JSON type `postgresql`. */
export const postgresLike = defineTargetPlugin({
  type: "postgres",
  arnType: "postgresql",
  keys: [
    { name: "format", default: "namespace", required: true, kind: "enum", help: "format" },
    { name: "connection_string", default: "", required: true, help: "libpq string" },
    { name: "table", default: "", required: true, help: "table" },
    { name: "max_open_connections", default: "2", kind: "int", help: "pool" },
  ],
  parseConfig: (raw) => ({ ...raw }),
  create: (_config, context) => fakeTarget(context.targetId),
});

/** An AMQP-like plugin with irregular env names, an env-only key and a duration. */
export const amqpLike = defineTargetPlugin({
  type: "amqp",
  keys: [
    { name: "url", default: "", required: true, help: "url" },
    { name: "durable", default: "off", kind: "bool", help: "durable" },
    { name: "publisher_confirms", default: "off", kind: "bool", envName: "PUBLISHING_CONFIRMS", help: "confirms" },
    { name: "immediate", default: "off", kind: "bool", envOnly: true, help: "immediate" },
    { name: "delivery_mode", default: "0", kind: "int", help: "mode" },
    { name: "batch_commit_timeout", default: "0s", kind: "duration", help: "timeout" },
    { name: "password", default: "", secret: true, help: "password" },
  ],
  parseConfig: (raw) => ({ url: raw.url, durable: isOn(raw.durable ?? "") }),
  create: (_config, context) => fakeTarget(context.targetId),
});

/** A kafka-like plugin whose legacy JSON has nested shapes. */
export const kafkaLike = defineTargetPlugin({
  type: "kafka",
  keys: [
    { name: "brokers", default: "", required: true, help: "brokers" },
    { name: "tls", default: "off", kind: "bool", jsonName: "tls.enable", help: "tls" },
    { name: "sasl_password", default: "", secret: true, jsonName: "sasl.password", help: "password" },
    { name: "compression_codec", default: "", envName: "PRODUCER_COMPRESSION_CODEC", help: "codec" },
  ],
  parseConfig: (raw) => ({ ...raw }),
  create: (_config, context) => fakeTarget(context.targetId),
  fromLegacyJson(settings): Record<string, string> {
    const producer = settings.producer as { compression?: string } | undefined;
    return producer?.compression ? { compression_codec: producer.compression } : {};
  },
});

export function testRegistry(): TargetRegistry {
  const registry = createTargetRegistry();
  for (const plugin of [webhookLike, postgresLike, amqpLike, kafkaLike]) registry.register(plugin, "test");
  return registry;
}
