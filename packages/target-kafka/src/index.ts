import { defineTargetPlugin } from "@s3notify/core";
import { type KafkaTargetConfig, parseKafkaConfig } from "./kafka-config.js";
import { KAFKA_KEYS } from "./kafka-keys.js";
import { KafkaTarget } from "./kafka-target.js";

export type { KafkaCompression, KafkaSaslMechanism, KafkaTargetConfig } from "./kafka-config.js";
export { parseKafkaConfig } from "./kafka-config.js";
export { KAFKA_KEYS } from "./kafka-keys.js";
export { KafkaTarget } from "./kafka-target.js";

/** The Kafka target plugin (`notify_kafka`, ARN type `kafka`). */
const kafkaTarget = defineTargetPlugin<KafkaTargetConfig>({
  type: "kafka",
  keys: KAFKA_KEYS,
  parseConfig: parseKafkaConfig,
  create: (config, context) => new KafkaTarget(context.targetId, config, context),
  fromLegacyJson: (settings): Record<string, string> => (Array.isArray(settings.brokers) ? { brokers: settings.brokers.map(String).join(",") } : {}),
});

export default kafkaTarget;
