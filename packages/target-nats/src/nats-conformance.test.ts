import type { EventRecord, LogEnvelope } from "@s3notify/core";
import { type ConformanceBackend, runTargetConformance, startService } from "@s3notify/testkit";
import { connect, type NatsConnection } from "nats";
import natsTarget from "./index.js";

const STREAM = "S3N_CONFORMANCE";

/**
 * A real nats-server with JetStream: one file-backed stream captures `s3n.>`, each scope is a subject.
 * What arrived is read from the stream by sequence, so it survives the server's restart.
 */
async function jetStreamBackend(): Promise<ConformanceBackend> {
  const nats = await startService("nats");
  const reader: NatsConnection = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  const manager = await reader.jetstreamManager();
  await manager.streams.add({ name: STREAM, subjects: ["s3n.>"] });
  const bySequence = new Map<number, { subject: string; body: string }>();
  return {
    // nats-server without auth accepts any credentials: these let the secrets check see the password.
    config: (scope) => ({ address: `127.0.0.1:${nats.port}`, subject: `s3n.${scope}`, jetstream: "on", username: "s3n", password: "s3n-nats-password" }),
    readEvents: async (scope) => {
      const info = await manager.streams.info(STREAM);
      for (let sequence = info.state.first_seq; sequence <= info.state.last_seq; sequence++) {
        if (bySequence.has(sequence)) continue;
        const message = await manager.streams.getMessage(STREAM, { seq: sequence });
        bySequence.set(sequence, { subject: message.subject, body: new TextDecoder().decode(message.data) });
      }
      return [...bySequence.entries()]
        .sort(([left], [right]) => left - right)
        .filter(([, entry]) => entry.subject === `s3n.${scope}`)
        .map(([, entry]): EventRecord => (JSON.parse(entry.body) as LogEnvelope).Records[0]);
    },
    stop: () => nats.stop(),
    start: () => nats.start(),
    close: async () => {
      await reader.close().catch(() => undefined);
      await nats.dispose();
    },
  };
}

runTargetConformance({
  plugin: natsTarget,
  backend: jetStreamBackend,
  invalidConfigs: [
    { description: "empty address", values: { address: "" }, key: "address" },
    { description: "a URL instead of host:port", values: { address: "nats://127.0.0.1:4222" }, key: "address" },
    { description: "empty subject", values: { subject: "" }, key: "subject" },
    { description: "username without password", values: { username: "u", password: "" }, key: "password" },
    { description: "ping_interval as a duration", values: { ping_interval: "10s" }, key: "ping_interval" },
    { description: "streaming without a cluster id", values: { streaming: "on", streaming_cluster_id: "" }, key: "streaming_cluster_id" },
  ],
});
