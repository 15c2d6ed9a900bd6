/** Typed settings of one MQTT target, made by `parseMqttConfig` from MinIO's `notify_mqtt` keys. */
export interface MqttConfig {
  /** The broker URL as configured (tcp://, ssl://, tls://, tcps://, ws://, wss://). */
  readonly broker: string;
  /** The same URL in mqtt.js's scheme (mqtt://, mqtts://, ws://, wss://), credentials removed. */
  readonly brokerUrl: string;
  readonly topic: string;
  readonly qos: 0 | 1 | 2;
  readonly username: string;
  /** Never log it. */
  readonly password: string;
  /** Milliseconds; MinIO's 0 means 10 minutes. */
  readonly reconnectIntervalMs: number;
  /** Milliseconds; MinIO's 0 means 10 seconds. */
  readonly keepAliveIntervalMs: number;
}
