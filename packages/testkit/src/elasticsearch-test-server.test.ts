import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client, errors } from "@elastic/elasticsearch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ElasticsearchTestServer, startElasticsearchTestServer } from "./elasticsearch-test-server.js";

// Runs against: the in-process Elasticsearch test server, driven by the real @elastic/elasticsearch 8
// client and by Debian's python3-elasticsearch (7.17), an independent client with its own habits.

describe("Elasticsearch test server with @elastic/elasticsearch 8", () => {
  let server: ElasticsearchTestServer;
  let client: Client;

  beforeAll(async () => {
    server = await startElasticsearchTestServer();
    client = new Client({ node: server.url, maxRetries: 0, requestTimeout: 5_000 });
  });
  afterAll(async () => {
    await client.close();
    await server.close();
  });

  it("answers info with the product header and an 8.x version", async () => {
    const info = await client.info();
    expect(info.version.number).toBe("8.19.0");
    const response = await fetch(`${server.url}/`);
    expect(response.headers.get("x-elastic-product")).toBe("Elasticsearch");
    expect(response.headers.get("content-type")).toContain("application/json");
    const malformed = await fetch(`${server.url}/index/_doc/%E0%A4%A`);
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: { type: "illegal_argument_exception" }, status: 400 });
  });

  it("creates, checks, resolves and deletes indices", async () => {
    expect(await client.indices.exists({ index: "alpha" })).toBe(false);
    await client.indices.create({ index: "alpha" });
    expect(await client.indices.exists({ index: "alpha" })).toBe(true);
    const error = await client.indices.create({ index: "alpha" }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(errors.ResponseError);
    expect((error as errors.ResponseError).statusCode).toBe(400);
    expect((error as errors.ResponseError).body).toMatchObject({ error: { type: "resource_already_exists_exception" }, status: 400 });
    const resolved = await client.indices.resolveIndex({ name: "alpha" });
    expect(resolved.indices.map((entry) => entry.name)).toEqual(["alpha"]);
    expect((await client.indices.resolveIndex({ name: "nothing" })).indices).toEqual([]);
    await client.indices.delete({ index: "alpha" });
    expect(await client.indices.exists({ index: "alpha" })).toBe(false);
    const invalid = await client.indices.create({ index: "Upper" }).catch((caught: unknown) => caught);
    expect((invalid as errors.ResponseError).body).toMatchObject({ error: { type: "invalid_index_name_exception" } });
  });

  it("indexes, overwrites, reads and deletes documents with ids holding a slash", async () => {
    const first = await client.index({ index: "docs", id: "bucket/a b.txt", document: { n: 1 } });
    expect(first.result).toBe("created");
    const second = await client.index({ index: "docs", id: "bucket/a b.txt", document: { n: 2 } });
    expect(second.result).toBe("updated");
    expect(second._version).toBe(2);
    const read = await client.get({ index: "docs", id: "bucket/a b.txt" });
    expect(read._source).toEqual({ n: 2 });
    expect(await client.exists({ index: "docs", id: "bucket/a b.txt" })).toBe(true);
    expect(server.documents("docs")?.map((document) => document.id)).toEqual(["bucket/a b.txt"]);
    const generated = await client.index({ index: "docs", document: { n: 3 } });
    expect(generated._id).toMatch(/^[A-Za-z0-9_-]{20}$/);
    await client.delete({ index: "docs", id: "bucket/a b.txt" });
    expect(await client.exists({ index: "docs", id: "bucket/a b.txt" })).toBe(false);
    const missing = await client.delete({ index: "docs", id: "bucket/a b.txt" }).catch((caught: unknown) => caught);
    expect((missing as errors.ResponseError).statusCode).toBe(404);
    const getMissing = await client.get({ index: "docs", id: "nope" }).catch((caught: unknown) => caught);
    expect((getMissing as errors.ResponseError).body).toMatchObject({ found: false });
  });

  it("runs bulk requests with per-item status and a correct errors flag", async () => {
    const ok = await client.bulk({
      operations: [
        { index: { _index: "bulk", _id: "1" } },
        { v: 1 },
        { index: { _index: "bulk" } },
        { v: 2 },
        { delete: { _index: "bulk", _id: "1" } },
        { delete: { _index: "bulk", _id: "zz" } },
      ],
    });
    expect(ok.errors).toBe(false);
    expect(ok.items.map((item) => Object.values(item)[0]?.status)).toEqual([201, 201, 200, 404]);
    server.rejectDocuments((_index, _id, source) =>
      (source as { v?: unknown }).v === "bad"
        ? { status: 400, type: "mapper_parsing_exception", reason: "failed to parse field [v] of type [long]" }
        : undefined,
    );
    try {
      const mixed = await client.bulk({
        index: "bulk",
        operations: [{ index: { _id: "a" } }, { v: 1 }, { index: { _id: "b" } }, { v: "bad" }, { create: { _id: "a" } }, { v: 3 }],
      });
      expect(mixed.errors).toBe(true);
      expect(mixed.items.map((item) => Object.values(item)[0]?.status)).toEqual([201, 400, 409]);
      expect(mixed.items[1]?.index?.error?.type).toBe("mapper_parsing_exception");
    } finally {
      server.rejectDocuments(undefined);
    }
    const helper = await client.helpers.bulk({ datasource: [{ w: 1 }, { w: 2 }], onDocument: () => ({ index: { _index: "helper" } }) });
    expect(helper.successful).toBe(2);
    await client.indices.refresh({ index: "helper" });
    const found = await client.search({ index: "helper", query: { match_all: {} }, size: 100 });
    expect(found.hits.hits.map((hit) => hit._source)).toEqual([{ w: 1 }, { w: 2 }]);
  });

  it("accepts gzip-compressed request bodies (the client's compression option)", async () => {
    const compressed = new Client({ node: server.url, maxRetries: 0, compression: true });
    try {
      await compressed.bulk({ operations: [{ index: { _index: "gz", _id: "1" } }, { packed: true }] });
      await compressed.index({ index: "gz", id: "2", document: { packed: "yes" } });
      expect(server.requests.some((request) => request.headers["content-encoding"] === "gzip")).toBe(true);
      expect(server.documents("gz")?.map((document) => document.source)).toEqual([{ packed: true }, { packed: "yes" }]);
    } finally {
      await compressed.close();
    }
  });

  it("injects failures and survives a stop/start on the same port", async () => {
    server.failNext(1, 429);
    const error = await client.info().catch((caught: unknown) => caught);
    expect((error as errors.ResponseError).statusCode).toBe(429);
    expect((error as errors.ResponseError).body).toMatchObject({ error: { type: "es_rejected_execution_exception" }, status: 429 });
    await client.index({ index: "outage", id: "kept", document: { k: 1 } });
    const port = server.port;
    await server.stop();
    const down = await client.info().catch((caught: unknown) => caught);
    expect(down).toBeInstanceOf(errors.ConnectionError);
    await server.start();
    expect(server.port).toBe(port);
    expect((await client.get({ index: "outage", id: "kept" }))._source).toEqual({ k: 1 });
    expect(server.requests.some((request) => request.method === "POST" && request.url === "/_bulk")).toBe(true);
  });
});

describe("Elasticsearch test server with basic auth", () => {
  let server: ElasticsearchTestServer;
  beforeAll(async () => {
    server = await startElasticsearchTestServer({ auth: { username: "elastic", password: "s3cret" } });
  });
  afterAll(async () => server.close());

  it("accepts the right credentials and answers 401 with ES's body otherwise", async () => {
    const good = new Client({ node: server.url, auth: { username: "elastic", password: "s3cret" }, maxRetries: 0 });
    const bad = new Client({ node: server.url, auth: { username: "elastic", password: "wrong" }, maxRetries: 0 });
    try {
      expect((await good.info()).version.number).toBe("8.19.0");
      const error = await bad.info().catch((caught: unknown) => caught);
      expect((error as errors.ResponseError).statusCode).toBe(401);
      expect((error as errors.ResponseError).body).toMatchObject({ error: { type: "security_exception" }, status: 401 });
    } finally {
      await good.close();
      await bad.close();
    }
  });
});

const PYTHON = "/usr/bin/python3";

function pythonHasElasticsearch(): boolean {
  try {
    execFileSync(PYTHON, ["-c", "import elasticsearch"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Debian's client; installed like the service launcher installs servers (root only). */
function ensurePythonClient(): boolean {
  if (pythonHasElasticsearch()) return true;
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync("apt-get", ["install", "-y", "--no-install-recommends", "python3-elasticsearch"], {
      stdio: "ignore",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
      timeout: 120_000,
    });
  } catch {
    return false;
  }
  return pythonHasElasticsearch();
}

const PYTHON_SCRIPT = `
import json, sys
from elasticsearch import Elasticsearch, NotFoundError, helpers
es = Elasticsearch([sys.argv[1]], http_auth=("elastic", "s3cret"), max_retries=0)
out = {"version": es.info()["version"]["number"]}
out["exists_before"] = es.indices.exists(index="py-index")
es.indices.create(index="py-index")
out["exists_after"] = es.indices.exists(index="py-index")
out["index"] = es.index(index="py-index", id="bucket/photo 1.jpg", body={"Records": [{"k": 1}]})["result"]
out["overwrite"] = es.index(index="py-index", id="bucket/photo 1.jpg", body={"Records": [{"k": 2}]})["result"]
out["get"] = es.get(index="py-index", id="bucket/photo 1.jpg")["_source"]
out["bulk"] = helpers.bulk(es, [{"_index": "py-index", "_source": {"n": i}} for i in range(3)])[0]
es.indices.refresh(index="py-index")
out["count"] = es.search(index="py-index", body={"query": {"match_all": {}}}, size=50)["hits"]["total"]["value"]
out["delete"] = es.delete(index="py-index", id="bucket/photo 1.jpg")["result"]
try:
    es.get(index="py-index", id="bucket/photo 1.jpg")
    out["missing"] = False
except NotFoundError:
    out["missing"] = True
print(json.dumps(out))
`;

describe("Elasticsearch test server with python3-elasticsearch (Debian)", () => {
  let server: ElasticsearchTestServer;
  let available = false;
  let folder: string;

  beforeAll(async () => {
    available = ensurePythonClient();
    server = await startElasticsearchTestServer({ auth: { username: "elastic", password: "s3cret" } });
    folder = mkdtempSync(join(tmpdir(), "es-python-"));
  }, 150_000);
  afterAll(async () => {
    await server.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it("indexes, reads, bulk-writes and deletes through an independent client", async (context) => {
    if (!available) {
      if (process.env.CI === "true") throw new Error("python3-elasticsearch is missing: apt-get install python3-elasticsearch");
      context.skip();
    }
    const script = join(folder, "client.py");
    writeFileSync(script, PYTHON_SCRIPT);
    const output = await new Promise<string>((resolve, reject) => {
      execFile(PYTHON, [script, server.url], { timeout: 60_000 }, (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
      );
    });
    expect(JSON.parse(output)).toEqual({
      version: "8.19.0",
      exists_before: false,
      exists_after: true,
      index: "created",
      overwrite: "updated",
      get: { Records: [{ k: 2 }] },
      bulk: 3,
      count: 4,
      delete: "deleted",
      missing: true,
    });
    expect(server.documents("py-index")?.length).toBe(3);
    expect(server.requests.some((request) => request.url.includes("bucket%2Fphoto"))).toBe(true);
  });
});
