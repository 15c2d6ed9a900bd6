import { mqttTargetPlugin } from "./mqtt-plugin.js";

export { parseGoDurationMs } from "./go-duration.js";
export { MQTT_KEYS, parseMqttConfig } from "./mqtt-config.js";
export { MqttTarget, minioClientId } from "./mqtt-target.js";
export type { MqttConfig } from "./types.js";
export { mqttTargetPlugin };
export default mqttTargetPlugin;
