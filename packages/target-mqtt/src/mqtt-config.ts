import { ConfigError, type ConfigKeySpec, type ParseContext, type RawTargetConfig } from "@s3notify/core";
import { parseGoDurationMs } from "./go-duration.js";
import type { MqttConfig } from "./types.js";

/** MinIO's `notify_mqtt` keys (facts §5.5); core adds enable, queue_dir, queue_limit, comment. */
export const MQTT_KEYS: readonly ConfigKeySpec[] = [
  { name: "broker", default: "", required: true, help: "MQTT server endpoint, e.g. tcp://localhost:1883 (tcp, ssl, tls, tcps, ws, wss)" },
  { name: "topic", default: "", required: true, help: "name of the MQTT topic to publish to" },
  { name: "username", default: "", help: "MQTT username" },
  { name: "password", default: "", secret: true, help: "MQTT password" },
  { name: "qos", default: "0", help: "quality of service: 0, 1 or 2 (1 or 2 when queue_dir is set)" },
  { name: "keep_alive_interval", default: "0s", help: "keep-alive interval, e.g. '10s' (0 means 10s)" },
  { name: "reconnect_interval", default: "0s", help: "longest wait between reconnection attempts, e.g. '5s' (0 means 10m)" },
];

/** MinIO's broker schemes and the mqtt.js scheme each one means. */
const SCHEMES: Readonly<Record<string, string>> = { tcp: "mqtt", ssl: "mqtts", tls: "mqtts", tcps: "mqtts", ws: "ws", wss: "wss" };
const DEFAULT_KEEP_ALIVE_MS = 10_000;
const DEFAULT_RECONNECT_MS = 10 * 60_000;

export function parseMqttConfig(raw: RawTargetConfig, context: ParseContext): MqttConfig {
  const fail = (key: string, reason: string): never => {
    throw new ConfigError({ subsystem: context.subsystem, targetId: context.targetId, key }, reason);
  };
  const broker = (raw.broker ?? "").trim();
  if (broker === "") fail("broker", "must not be empty");
  let url: URL | undefined;
  try {
    url = new URL(broker);
  } catch {
    fail("broker", "unknown protocol in broker address");
  }
  const scheme = SCHEMES[(url as URL).protocol.replace(/:$/, "").toLowerCase()];
  if (scheme === undefined) fail("broker", "unknown protocol in broker address");
  if ((url as URL).hostname === "") fail("broker", "has no host");
  // Credentials in the URL would end up in logs: take them from username/password only.
  const mapped = new URL((url as URL).toString().replace(/^[^:]+:/, `${scheme}:`));
  mapped.username = "";
  mapped.password = "";

  const topic = raw.topic ?? "";
  if (topic === "") fail("topic", "must not be empty");
  if (/[+#]/.test(topic)) fail("topic", "must not contain the wildcards + or #");

  const qosText = (raw.qos ?? "0").trim();
  if (!/^\d+$/.test(qosText) || Number(qosText) > 2) fail("qos", `invalid value '${qosText}' (expected 0, 1 or 2)`);
  const qos = Number(qosText) as 0 | 1 | 2;
  if ((raw.queue_dir ?? "").trim() !== "" && qos === 0) fail("qos", "qos should be set to 1 or 2 if queueDir is set");

  const duration = (key: string, fallback: number): number => {
    const text = (raw[key] ?? "0s").trim();
    const ms = parseGoDurationMs(text === "" ? "0s" : text);
    if (ms === undefined || ms < 0) return fail(key, `invalid duration '${text}' (e.g. 10s, 1m30s)`);
    return ms === 0 ? fallback : ms;
  };

  return {
    broker,
    brokerUrl: mapped.toString(),
    topic,
    qos,
    username: raw.username ?? "",
    password: raw.password ?? "",
    reconnectIntervalMs: duration("reconnect_interval", DEFAULT_RECONNECT_MS),
    keepAliveIntervalMs: duration("keep_alive_interval", DEFAULT_KEEP_ALIVE_MS),
  };
}
