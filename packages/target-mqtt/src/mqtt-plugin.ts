import { defineTargetPlugin } from "@s3notify/core";
import { MQTT_KEYS, parseMqttConfig } from "./mqtt-config.js";
import { MqttTarget } from "./mqtt-target.js";
import type { MqttConfig } from "./types.js";

/** The `mqtt` target plugin: MinIO's `notify_mqtt`. */
export const mqttTargetPlugin = defineTargetPlugin<MqttConfig>({
  type: "mqtt",
  keys: MQTT_KEYS,
  parseConfig: parseMqttConfig,
  create: (config, context) => new MqttTarget(config, context),
});
