import { Client } from "@elastic/elasticsearch";
import { type EventRecord, objectPath } from "@s3notify/core";
import { type ConformanceBackend, runTargetConformance, startElasticsearchTestServer } from "@s3notify/testkit";
import elasticsearchTarget, { namespaceDocumentId } from "./index.js";

// Runs against: testkit's Elasticsearch test server (no real Elasticsearch here); each scope is its own
// index, read back with the official @elastic/elasticsearch 8 client.

// Basic auth is on, so every conformance case also runs with credentials (and the secret check has a password).
const AUTH = { username: "conformance", password: "conformance-es-password" };

async function elasticsearchBackend(): Promise<ConformanceBackend> {
  const server = await startElasticsearchTestServer({ auth: AUTH });
  const reader = new Client({ node: server.url, auth: AUTH, maxRetries: 0, requestTimeout: 2_000 });
  async function hits(index: string): Promise<{ id: string; record: EventRecord }[]> {
    if (!(await reader.indices.exists({ index }))) return [];
    await reader.indices.refresh({ index });
    const result = await reader.search<{ Records: [EventRecord] }>({ index, query: { match_all: {} }, size: 10_000 });
    return result.hits.hits.map((hit) => ({ id: hit._id as string, record: (hit._source as { Records: [EventRecord] }).Records[0] }));
  }
  return {
    config: (scope, format) => ({ url: server.url, index: scope, format: format ?? "namespace", username: AUTH.username, password: AUTH.password }),
    readEvents: async (scope) => (await hits(scope)).map((hit) => hit.record),
    readState: async (scope) => {
      const state = new Map<string, EventRecord>();
      for (const { id, record } of await hits(scope)) {
        const path = objectPath(record);
        // Each document must sit under MinIO's id for its object.
        if (id !== namespaceDocumentId(path)) throw new Error(`document for ${path} has id ${id}, expected ${namespaceDocumentId(path)}`);
        state.set(path, record);
      }
      return state;
    },
    stop: () => server.stop(),
    start: () => server.start(),
    close: async () => {
      await reader.close();
      await server.close();
    },
  };
}

runTargetConformance({
  plugin: elasticsearchTarget,
  backend: elasticsearchBackend,
  formats: [
    { format: "namespace", shape: "namespace" },
    { format: "access", shape: "log" },
  ],
  invalidConfigs: [
    { description: "empty url", values: { url: "" }, key: "url" },
    { description: "ftp url", values: { url: "ftp://127.0.0.1:21" }, key: "url" },
    { description: "unknown format", values: { format: "json" }, key: "format" },
    { description: "empty index", values: { index: "" }, key: "index" },
    { description: "username without password", values: { password: "" }, key: "password" },
    { description: "password without username", values: { username: "" }, key: "username" },
    { description: "unknown compat_shape", values: { compat_shape: "older" }, key: "compat_shape" },
  ],
});
