import type { EventRecord, LogEnvelope } from "@s3notify/core";
import { type ConformanceBackend, NsqTestServer, runTargetConformance } from "@s3notify/testkit";
import nsqTarget from "./index.js";

/** The test nsqd; each scope is its own topic. What arrived is read from the server's log. */
async function nsqBackend(): Promise<ConformanceBackend> {
  const server = await NsqTestServer.start();
  return {
    config: (scope) => ({ nsqd_address: server.address, topic: scope }),
    readEvents: async (scope) => server.messages(scope).map((message): EventRecord => (JSON.parse(message.body) as LogEnvelope).Records[0]),
    stop: () => server.stop(),
    start: () => server.start(),
    close: () => server.close(),
  };
}

runTargetConformance({
  plugin: nsqTarget,
  backend: nsqBackend,
  invalidConfigs: [
    { description: "empty nsqd_address", values: { nsqd_address: "" }, key: "nsqd_address" },
    { description: "address without port", values: { nsqd_address: "localhost" }, key: "nsqd_address" },
    { description: "empty topic", values: { topic: "" }, key: "topic" },
    { description: "topic with a space", values: { topic: "a b" }, key: "topic" },
  ],
});
