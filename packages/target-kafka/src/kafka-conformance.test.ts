import { type EventRecord, type LogEnvelope, objectPath } from "@s3notify/core";
import { type ConformanceBackend, KafkaTestBroker, runTargetConformance } from "@s3notify/testkit";
import kafkaTarget from "./index.js";

/** The Kafka test broker; each scope is its own topic. What arrived is read from the broker's log. */
async function kafkaBackend(): Promise<ConformanceBackend> {
  const broker = await KafkaTestBroker.start();
  return {
    config: (scope) => ({ brokers: broker.brokers.join(","), topic: scope }),
    readEvents: async (scope) =>
      broker.messages(scope).map((message): EventRecord => {
        const record = (JSON.parse(message.value ?? "null") as LogEnvelope).Records[0];
        // The message key is part of MinIO's contract too: bucket/object, decoded.
        if (message.key !== objectPath(record)) throw new Error(`message key ${message.key} is not ${objectPath(record)}`);
        return record;
      }),
    stop: () => broker.stop(),
    start: () => broker.start(),
    close: () => broker.close(),
  };
}

runTargetConformance({
  plugin: kafkaTarget,
  backend: kafkaBackend,
  invalidConfigs: [
    { description: "empty brokers", values: { brokers: "" }, key: "brokers" },
    { description: "empty topic", values: { topic: "" }, key: "topic" },
    { description: "unknown SASL mechanism", values: { sasl: "on", sasl_username: "u", sasl_mechanism: "kerberos" }, key: "sasl_mechanism" },
    { description: "zstd compression", values: { compression_codec: "zstd" }, key: "compression_codec" },
    { description: "client_tls_cert without client_tls_key", values: { client_tls_cert: "/etc/hostname" }, key: "client_tls_key" },
  ],
});
