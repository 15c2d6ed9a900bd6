// The suite run against a small in-memory target, with both delivery shapes: proves the suite itself
// (namespace semantics, outage replay, invalid configs, secret checks) independently of any real backend.
import { ConfigError, defineTargetPlugin, type EventRecord, objectPath, retryableError, type Target } from "@s3notify/core";
import { runTargetConformance } from "./run-target-conformance.js";
import type { ConformanceBackend } from "./types.js";

interface MemoryConfig {
  readonly scope: string;
  readonly format: "namespace" | "access";
  readonly password: string;
}

/** What "arrived": per scope, the access log and the namespace map. */
const store = { up: true, logs: new Map<string, EventRecord[]>(), namespaces: new Map<string, Map<string, EventRecord>>() };

const memoryPlugin = defineTargetPlugin<MemoryConfig>({
  type: "memorytest",
  keys: [
    { name: "scope", default: "", required: true, help: "where to write" },
    { name: "format", default: "namespace", help: "namespace or access" },
    { name: "password", default: "", secret: true, help: "a secret" },
  ],
  parseConfig(raw, context) {
    const location = (key: string) => ({ subsystem: context.subsystem, targetId: context.targetId, key });
    if (!raw.scope) throw new ConfigError(location("scope"), "scope empty");
    if (raw.format !== "namespace" && raw.format !== "access") throw new ConfigError(location("format"), `unknown format ${raw.format}`);
    return { scope: raw.scope, format: raw.format, password: raw.password ?? "" };
  },
  create(config, context): Target {
    return {
      id: context.targetId,
      capabilities: { maxBatchSize: 5, ordered: true },
      open: async () => undefined,
      isActive: async () => store.up,
      close: async () => undefined,
      async send(batch) {
        if (!store.up) throw retryableError("backend down");
        for (const record of batch) {
          if (config.format === "access") {
            const log = store.logs.get(config.scope) ?? [];
            log.push(structuredClone(record));
            store.logs.set(config.scope, log);
          } else {
            const namespace = store.namespaces.get(config.scope) ?? new Map<string, EventRecord>();
            if (record.eventName === "s3:ObjectRemoved:Delete") namespace.delete(objectPath(record));
            else namespace.set(objectPath(record), structuredClone(record));
            store.namespaces.set(config.scope, namespace);
          }
        }
      },
    };
  },
});

async function memoryBackend(): Promise<ConformanceBackend> {
  return {
    config: (scope, format) => ({ scope, format: format ?? "namespace", password: "hunter2-secret" }),
    readEvents: async (scope) => [...(store.logs.get(scope) ?? [])],
    readState: async (scope) => new Map(store.namespaces.get(scope) ?? []),
    stop: async () => {
      store.up = false;
    },
    start: async () => {
      store.up = true;
    },
    close: async () => {
      store.logs.clear();
      store.namespaces.clear();
    },
  };
}

runTargetConformance({
  plugin: memoryPlugin,
  backend: memoryBackend,
  formats: [
    { format: "namespace", shape: "namespace" },
    { format: "access", shape: "log" },
  ],
  invalidConfigs: [
    { description: "empty scope", values: { scope: "" }, key: "scope" },
    { description: "unknown format", values: { format: "xml" }, key: "format" },
  ],
  timeoutMs: 10_000,
});
