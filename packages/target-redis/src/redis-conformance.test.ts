import type { EventRecord } from "@s3notify/core";
import { type ConformanceBackend, type RunningService, runTargetConformance, startService } from "@s3notify/testkit";
import { createClient } from "redis";
import redisTarget from "./index.js";

// Runs against: a real redis-server started by testkit's startService; each scope is its own key,
// read back with the official `redis` client (a fresh connection per read, so reads survive the outage).

function newReader(service: RunningService) {
  return createClient({ url: service.url, socket: { reconnectStrategy: false, connectTimeout: 2_000 } });
}

async function withReader<T>(service: RunningService, read: (client: ReturnType<typeof newReader>) => Promise<T>): Promise<T> {
  const client = newReader(service);
  client.on("error", () => undefined);
  await client.connect();
  try {
    return await read(client);
  } finally {
    await client.close().catch(() => client.destroy());
  }
}

async function redisBackend(): Promise<ConformanceBackend> {
  const service = await startService("redis");
  return {
    config: (scope, format) => ({ address: `127.0.0.1:${service.port}`, key: scope, format: format ?? "namespace" }),
    // access: each list item is [{"Event":[record],"EventTime":...}]
    readEvents: (scope) =>
      withReader(service, async (client) => (await client.lRange(scope, 0, -1)).map((value) => (JSON.parse(value) as [{ Event: [EventRecord] }])[0].Event[0])),
    // namespace: field bucket/object → {"Records":[record]}
    readState: (scope) =>
      withReader(service, async (client) => {
        const hash = await client.hGetAll(scope);
        return new Map(Object.entries(hash).map(([path, value]) => [path, (JSON.parse(value) as { Records: [EventRecord] }).Records[0]]));
      }),
    // The launcher's Redis saves dump.rdb on shutdown and reloads it on start: data survives the outage.
    stop: () => service.stop(),
    start: () => service.start(),
    close: () => service.dispose(),
  };
}

runTargetConformance({
  plugin: redisTarget,
  backend: redisBackend,
  formats: [
    { format: "namespace", shape: "namespace" },
    { format: "access", shape: "log" },
  ],
  invalidConfigs: [
    { description: "unknown format", values: { format: "json" }, key: "format" },
    { description: "empty address", values: { address: "" }, key: "address" },
    { description: "address with a bad port", values: { address: "127.0.0.1:notaport" }, key: "address" },
    { description: "empty key", values: { key: "" }, key: "key" },
    { description: "unknown compat_shape", values: { compat_shape: "older" }, key: "compat_shape" },
  ],
});
