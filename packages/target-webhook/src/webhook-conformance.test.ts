import type { EventRecord, LogEnvelope } from "@s3notify/core";
import { type ConformanceBackend, runTargetConformance } from "@s3notify/testkit";
import { HttpRecorder } from "./http-recorder.fixture.js";
import webhookTargetPlugin from "./index.js";

/** A real HTTP server on loopback; each scope is its own path. What arrived is read from the server's log. */
async function webhookBackend(): Promise<ConformanceBackend> {
  const recorder = new HttpRecorder();
  await recorder.start();
  const arrived = (scope: string): EventRecord[] =>
    recorder.accepted
      .filter((request) => new URL(request.url, "http://x").pathname === `/${scope}`)
      .map((request) => (JSON.parse(request.body.toString("utf8")) as LogEnvelope).Records[0]);
  return {
    config: (scope) => ({ endpoint: `http://127.0.0.1:${recorder.port}/${scope}`, auth_token: "conformance-token" }),
    readEvents: async (scope) => arrived(scope),
    stop: () => recorder.stop(),
    start: () => recorder.start(),
    close: () => recorder.stop(),
  };
}

runTargetConformance({
  plugin: webhookTargetPlugin,
  backend: webhookBackend,
  invalidConfigs: [
    { description: "empty endpoint", values: { endpoint: "" }, key: "endpoint" },
    { description: "ftp endpoint", values: { endpoint: "ftp://127.0.0.1/x" }, key: "endpoint" },
    { description: "client_cert without client_key", values: { client_cert: "/etc/hostname" }, key: "client_key" },
    { description: "client_key without client_cert", values: { client_key: "/etc/hostname" }, key: "client_cert" },
  ],
});
