import { Client } from "@elastic/elasticsearch";
import {
  ConfigError,
  type EventName,
  type EventRecord,
  type Logger,
  S3NotifyError,
  type Target,
  TargetBatchError,
  buildEventRecord,
} from "@s3notify/core";
import { type ElasticsearchTestServer, freePort, startElasticsearchTestServer } from "@s3notify/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import elasticsearchTarget, { type ElasticsearchTargetConfig, highwayHash256, namespaceDocumentId } from "./index.js";

// Runs against: testkit's Elasticsearch test server (no real Elasticsearch can run here), through the
// official @elastic/elasticsearch 8 client, read back with a second instance of that client.

const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const context = { targetId: "_", subsystem: "notify_elasticsearch" };

function rawConfig(values: Record<string, string>): Record<string, string> {
  const raw: Record<string, string> = {};
  for (const key of elasticsearchTarget.keys) raw[key.name] = key.default;
  return { ...raw, ...values };
}

function makeTarget(values: Record<string, string>): Target {
  const config = elasticsearchTarget.parseConfig(rawConfig(values), context);
  return elasticsearchTarget.create(config, { targetId: { id: "1", type: "elasticsearch" }, logger: silent });
}

let sequence = 0;
function record(eventName: EventName, bucket: string, key: string): EventRecord {
  sequence++;
  return buildEventRecord({ eventName, bucket, key, size: sequence, eTag: `etag${sequence}`, eventTime: new Date(Date.UTC(2024, 0, 1, 0, 0, sequence)) });
}

/** What Elasticsearch holds for a record: `{"Records":[record]}` as plain JSON. */
function stored(event: EventRecord): unknown {
  return JSON.parse(JSON.stringify({ Records: [event] }));
}

async function rejection(promise: Promise<unknown>): Promise<S3NotifyError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!S3NotifyError.isInstance(error)) throw new Error(`expected an S3NotifyError, got ${String(error)}`);
  return error;
}

describe("namespace document ids", () => {
  it("match MinIO's HighwayHash-256 vectors (facts §6.10)", () => {
    expect(namespaceDocumentId("images/myphoto.jpg")).toBe("p6Ki67qy3lCiC8S6O7Sqg45IYNdXdtxyGnAfASuSU2c=");
    expect(namespaceDocumentId("photos/2024/summer trip/img 01.jpg")).toBe("JAkNVsVu1MRNqxQ_eQe8a9mfCnNa54TJd2fvatT93aU=");
    expect(namespaceDocumentId("bucket/a")).toBe("_9ulyfVNJKWD2bOwCqfOFdjD4jkd_9rPUCfA-y6Hfkg=");
    expect(namespaceDocumentId("bucket/a", "legacy")).toBe("bucket/a");
  });

  it("hashes every input length (full packets and each remainder path) deterministically", () => {
    const key = new Uint8Array(32).map((_, index) => index);
    const seen = new Set<string>();
    for (let length = 0; length <= 65; length++) {
      const data = new Uint8Array(length).map((_, index) => index);
      const hash = Buffer.from(highwayHash256(key, data)).toString("hex");
      expect(hash).toHaveLength(64);
      expect(Buffer.from(highwayHash256(key, data)).toString("hex")).toBe(hash);
      seen.add(hash);
    }
    expect(seen.size).toBe(66);
    expect(() => highwayHash256(new Uint8Array(16), new Uint8Array(1))).toThrow(RangeError);
  });
});

describe("elasticsearch config", () => {
  it("parses MinIO's keys, moving URL credentials out of the URL", () => {
    const config: ElasticsearchTargetConfig = elasticsearchTarget.parseConfig(rawConfig({ url: "https://elastic:pa%40ss@es.local:9200", index: "minio" }), context);
    expect(config).toEqual({ url: "https://es.local:9200", format: "namespace", index: "minio", username: "elastic", password: "pa@ss", compatShape: "current" });
    expect(elasticsearchTarget.parseConfig(rawConfig({ url: "http://es:9200", index: "i", username: "u", password: "p", format: "access" }), context)).toMatchObject({
      username: "u",
      password: "p",
      format: "access",
    });
  });

  it.each([
    [{ url: "" }, "url", "empty URL"],
    [{ url: "not a url" }, "url", "not a valid URL"],
    [{ url: "ftp://es:21" }, "url", "unexpected scheme"],
    [{ format: "json" }, "format", "format value unrecognized"],
    [{ index: "" }, "index", "empty index value"],
    [{ username: "elastic" }, "password", "username and password should be set in pairs"],
    [{ password: "secret" }, "username", "username and password should be set in pairs"],
    [{ compat_shape: "v1" }, "compat_shape", "unrecognized value"],
  ])("refuses %o naming the key", (values, key, reason) => {
    let error: unknown;
    try {
      elasticsearchTarget.parseConfig(rawConfig({ url: "http://127.0.0.1:9200", index: "i", ...values }), context);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).key).toBe(key);
    expect((error as ConfigError).message).toContain(reason);
    expect((error as ConfigError).message).not.toContain("secret");
  });

  it("never quotes a URL that may hold a password", () => {
    expect(() => elasticsearchTarget.parseConfig(rawConfig({ url: "http://u:hunter2@[bad", index: "i" }), context)).toThrow(/^(?!.*hunter2)/s);
  });
});

describe("elasticsearch target against the Elasticsearch test server", () => {
  let server: ElasticsearchTestServer;
  let reader: Client;

  beforeAll(async () => {
    server = await startElasticsearchTestServer();
    reader = new Client({ node: server.url, maxRetries: 0 });
  });
  afterAll(async () => {
    await reader?.close();
    await server?.close();
  });

  async function documents(index: string): Promise<Map<string, unknown>> {
    await reader.indices.refresh({ index });
    const result = await reader.search({ index, query: { match_all: {} }, size: 1000 });
    return new Map(result.hits.hits.map((hit) => [hit._id as string, hit._source]));
  }

  it("open() checks the version and creates the missing index without a mapping", async () => {
    const target = makeTarget({ url: server.url, index: "created-by-open" });
    try {
      expect(await reader.indices.exists({ index: "created-by-open" })).toBe(false);
      await target.open();
      expect(await reader.indices.exists({ index: "created-by-open" })).toBe(true);
      const create = server.requests.find((request) => request.method === "PUT" && request.url === "/created-by-open");
      expect(create?.body).toBe("");
      expect(await target.isActive()).toBe(true);
      // A second target finds it and does not create it again.
      const again = makeTarget({ url: server.url, index: "created-by-open" });
      await again.open();
      await again.close();
      expect(server.requests.filter((request) => request.method === "PUT" && request.url === "/created-by-open")).toHaveLength(1);
    } finally {
      await target.close();
    }
  });

  it("namespace: create, overwrite and delete leave exactly MinIO's documents under the hashed ids", async () => {
    const target = makeTarget({ url: server.url, index: "ns" });
    try {
      const photo = record("s3:ObjectCreated:Put", "images", "myphoto.jpg");
      const trip = record("s3:ObjectCreated:Put", "photos", "2024/summer trip/img 01.jpg");
      const small = record("s3:ObjectCreated:Put", "bucket", "a");
      await target.send([photo]);
      await target.send([trip, small]);
      const photoAgain = record("s3:ObjectCreated:Copy", "images", "myphoto.jpg");
      const deleteSmall = record("s3:ObjectRemoved:Delete", "bucket", "a");
      await target.send([photoAgain, deleteSmall, record("s3:ObjectRemoved:Delete", "bucket", "never-there")]);
      expect(await documents("ns")).toEqual(
        new Map([
          ["p6Ki67qy3lCiC8S6O7Sqg45IYNdXdtxyGnAfASuSU2c=", stored(photoAgain)],
          ["JAkNVsVu1MRNqxQ_eQe8a9mfCnNa54TJd2fvatT93aU=", stored(trip)],
        ]),
      );
      const got = await reader.get({ index: "ns", id: "p6Ki67qy3lCiC8S6O7Sqg45IYNdXdtxyGnAfASuSU2c=" });
      expect(got._version).toBe(2);
      // One bulk request per batch.
      expect(server.requests.filter((request) => request.url === "/_bulk")).toHaveLength(3);
    } finally {
      await target.close();
    }
  });

  it("namespace with compat_shape=legacy: ids are the literal bucket/object", async () => {
    const target = makeTarget({ url: server.url, index: "ns-legacy", compat_shape: "legacy" });
    try {
      const put = record("s3:ObjectCreated:Put", "images", "dir/my photo.jpg");
      await target.send([put, record("s3:ObjectCreated:Put", "images", "gone"), record("s3:ObjectRemoved:Delete", "images", "gone")]);
      expect(await documents("ns-legacy")).toEqual(new Map([["images/dir/my photo.jpg", stored(put)]]));
    } finally {
      await target.close();
    }
  });

  it("access: every event becomes a new document with a server id, no extra fields", async () => {
    const target = makeTarget({ url: server.url, index: "access", format: "access" });
    try {
      const events = [record("s3:ObjectCreated:Put", "logs", "x"), record("s3:ObjectAccessed:Get", "logs", "x"), record("s3:ObjectRemoved:Delete", "logs", "x")];
      await target.send(events.slice(0, 2));
      await target.send(events.slice(2));
      const held = await documents("access");
      expect(held.size).toBe(3);
      expect([...held.values()]).toEqual(events.map(stored));
      expect(server.documents("access")?.map((document) => document.source)).toEqual(events.map(stored));
    } finally {
      await target.close();
    }
  });

  it("a refused item fails only itself: TargetBatchError lists the delivered indexes", async () => {
    const target = makeTarget({ url: server.url, index: "partial", format: "access" });
    const bad = record("s3:ObjectCreated:Put", "logs", "refuse-me");
    server.rejectDocuments((_index, _id, source) =>
      JSON.stringify(source).includes("refuse-me") ? { status: 400, type: "mapper_parsing_exception", reason: "failed to parse field [Records.s3.object.size]" } : undefined,
    );
    try {
      const error = await rejection(target.send([record("s3:ObjectCreated:Put", "logs", "ok1"), bad, record("s3:ObjectCreated:Put", "logs", "ok2")]));
      expect(error).toBeInstanceOf(TargetBatchError);
      expect((error as TargetBatchError).delivered).toEqual([0, 2]);
      expect(error.retryable).toBe(false);
      expect(error.message).toContain("mapper_parsing_exception");
      const single = await rejection(target.send([bad]));
      expect(single).not.toBeInstanceOf(TargetBatchError);
      expect(single.retryable).toBe(false);
      server.rejectDocuments(() => ({ status: 429, type: "es_rejected_execution_exception", reason: "queue full" }));
      const throttled = await rejection(target.send([record("s3:ObjectCreated:Put", "logs", "later")]));
      expect(throttled.retryable).toBe(true);
    } finally {
      server.rejectDocuments(undefined);
      await target.close();
    }
  });

  it("whole-request 429/503 are retryable, 400 is permanent", async () => {
    const target = makeTarget({ url: server.url, index: "statuses", format: "access" });
    try {
      await target.open();
      server.failNext(1, 429);
      expect((await rejection(target.send([record("s3:ObjectCreated:Put", "b", "1")]))).retryable).toBe(true);
      server.failNext(1, 503);
      expect((await rejection(target.send([record("s3:ObjectCreated:Put", "b", "2")]))).retryable).toBe(true);
      server.failNext(1, 400);
      expect((await rejection(target.send([record("s3:ObjectCreated:Put", "b", "3")]))).retryable).toBe(false);
      await target.send([record("s3:ObjectCreated:Put", "b", "4")]);
      expect(server.documents("statuses")).toHaveLength(1);
    } finally {
      await target.close();
    }
  });

  it("refuses Elasticsearch 6 with MinIO's message, permanently", async () => {
    const old = await startElasticsearchTestServer({ version: "6.8.23" });
    const target = makeTarget({ url: old.url, index: "i" });
    try {
      const error = await rejection(target.open());
      expect(error.retryable).toBe(false);
      expect(error.message).toContain("Elasticsearch version '6.8.23' is not supported! Please use at least version 7.x.");
    } finally {
      await target.close();
      await old.close();
    }
  });

  it("unreachable: open() fails retryably and the message holds no password", async () => {
    const target = makeTarget({ url: `http://elastic:Top-Secret-9@127.0.0.1:${await freePort()}`, index: "i" });
    try {
      const error = await rejection(target.open());
      expect(error.retryable).toBe(true);
      expect(error.message).not.toContain("Top-Secret-9");
      expect(error.message).toMatch(/not connected/);
      expect(await target.isActive()).toBe(false);
    } finally {
      await target.close();
    }
  });

  it("outage: sends fail retryably while the server is stopped and succeed after it returns", async () => {
    const target = makeTarget({ url: server.url, index: "outage", format: "access" });
    try {
      await target.send([record("s3:ObjectCreated:Put", "b", "before")]);
      await server.stop();
      expect((await rejection(target.send([record("s3:ObjectCreated:Put", "b", "during")]))).retryable).toBe(true);
      expect(await target.isActive()).toBe(false);
      await server.start();
      await target.send([record("s3:ObjectCreated:Put", "b", "after")]);
      expect(server.documents("outage")).toHaveLength(2);
    } finally {
      await target.close();
    }
  });
});

describe("elasticsearch target with basic auth", () => {
  let server: ElasticsearchTestServer;
  beforeAll(async () => {
    server = await startElasticsearchTestServer({ auth: { username: "elastic", password: "Secr3t-Pw" } });
  });
  afterAll(async () => server?.close());

  it("authenticates from the username/password keys and from the URL", async () => {
    const fromKeys = makeTarget({ url: server.url, index: "auth", username: "elastic", password: "Secr3t-Pw" });
    const fromUrl = makeTarget({ url: server.url.replace("http://", "http://elastic:Secr3t-Pw@"), index: "auth" });
    try {
      await fromKeys.send([record("s3:ObjectCreated:Put", "b", "k1")]);
      await fromUrl.send([record("s3:ObjectCreated:Put", "b", "k2")]);
      expect(server.documents("auth")).toHaveLength(2);
      expect(server.requests.every((request) => !request.url.includes("Secr3t"))).toBe(true);
    } finally {
      await fromKeys.close();
      await fromUrl.close();
    }
  });

  it("wrong credentials: open() fails retryably without the password", async () => {
    const target = makeTarget({ url: server.url, index: "auth", username: "elastic", password: "Wrong-Pw-77" });
    try {
      const error = await rejection(target.open());
      expect(error.retryable).toBe(true);
      expect(error.message).toContain("401");
      expect(error.message).not.toContain("Wrong-Pw-77");
    } finally {
      await target.close();
    }
  });
});
