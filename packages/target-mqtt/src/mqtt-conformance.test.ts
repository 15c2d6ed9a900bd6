import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";
import type { EventRecord, LogEnvelope } from "@s3notify/core";
import { type ConformanceBackend, freePort, runTargetConformance, startService } from "@s3notify/testkit";
import mqtt from "mqtt";
import mqttTarget from "./index.js";

/**
 * A TCP door in front of the broker that can be shut: the outage cuts the target off (its connection
 * dies, reconnects are refused) while the reader, connected straight to Mosquitto, keeps its
 * subscription (Mosquitto runs without persistence, so a restart would drop it and race the replay).
 */
async function door(targetPort: number): Promise<{ port: number; open(): Promise<void>; shut(): Promise<void> }> {
  const port = await freePort();
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  const open = (): Promise<void> =>
    new Promise((resolve, reject) => {
      server = createServer((client) => {
        const upstream = tcpConnect(targetPort, "127.0.0.1");
        sockets.add(client).add(upstream);
        const end = (): void => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on("error", end).on("close", end);
        upstream.on("error", end).on("close", end);
        client.pipe(upstream).pipe(client);
      });
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
  const shut = (): Promise<void> =>
    new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      if (!server) return resolve();
      server.close(() => resolve());
      server = undefined;
    });
  await open();
  return { port, open, shut };
}

async function mosquittoBackend(): Promise<ConformanceBackend> {
  const mosquitto = await startService("mosquitto");
  const gate = await door(mosquitto.port);
  const reader = await mqtt.connectAsync(mosquitto.url, { reconnectPeriod: 200 });
  const arrived: { topic: string; body: string }[] = [];
  reader.on("message", (topic, payload) => arrived.push({ topic, body: payload.toString("utf8") }));
  await reader.subscribeAsync("s3n/#", { qos: 1 });
  return {
    config: (scope) => ({ broker: `tcp://127.0.0.1:${gate.port}`, topic: `s3n/${scope}`, qos: "1" }),
    readEvents: async (scope) =>
      arrived.filter((entry) => entry.topic === `s3n/${scope}`).map((entry): EventRecord => (JSON.parse(entry.body) as LogEnvelope).Records[0]),
    stop: () => gate.shut(),
    start: () => gate.open(),
    close: async () => {
      await gate.shut();
      await reader.endAsync(true).catch(() => undefined);
      await mosquitto.dispose();
    },
  };
}

runTargetConformance({
  plugin: mqttTarget,
  backend: mosquittoBackend,
  invalidConfigs: [
    { description: "mqtt:// is not a MinIO scheme", values: { broker: "mqtt://127.0.0.1:1883" }, key: "broker" },
    { description: "empty broker", values: { broker: "" }, key: "broker" },
    { description: "empty topic", values: { topic: "" }, key: "topic" },
    { description: "qos 3", values: { qos: "3" }, key: "qos" },
    { description: "qos 0 with queue_dir", values: { qos: "0", queue_dir: "/tmp/s3notify-mqtt-queue" }, key: "qos" },
    { description: "keep_alive_interval not a duration", values: { keep_alive_interval: "10" }, key: "keep_alive_interval" },
  ],
});
