import type { EventRecord, LogEnvelope } from "@s3notify/core";
import { type ConformanceBackend, NatsStreamingTestServer, runTargetConformance, startService } from "@s3notify/testkit";
import natsTarget from "./index.js";

const CLUSTER = "s3n-conformance";

/** The NATS Streaming test server on a real nats-server; an outage stops the nats-server underneath. */
async function streamingBackend(): Promise<ConformanceBackend> {
  const nats = await startService("nats");
  const server = await NatsStreamingTestServer.start({ url: nats.url, clusterId: CLUSTER });
  return {
    config: (scope) => ({
      address: `127.0.0.1:${nats.port}`,
      subject: scope,
      streaming: "on",
      streaming_cluster_id: CLUSTER,
      username: "s3n",
      password: "s3n-stan-password",
    }),
    readEvents: async (scope) => server.messages(scope).map((message): EventRecord => (JSON.parse(message.data.toString("utf8")) as LogEnvelope).Records[0]),
    stop: () => nats.stop(),
    start: () => nats.start(),
    close: async () => {
      await server.close();
      await nats.dispose();
    },
  };
}

runTargetConformance({
  plugin: natsTarget,
  backend: streamingBackend,
  invalidConfigs: [
    { description: "streaming without a cluster id", values: { streaming_cluster_id: "" }, key: "streaming_cluster_id" },
    { description: "empty subject", values: { subject: "" }, key: "subject" },
    { description: "max pub acks not an integer", values: { streaming_max_pub_acks_in_flight: "many" }, key: "streaming_max_pub_acks_in_flight" },
  ],
});
