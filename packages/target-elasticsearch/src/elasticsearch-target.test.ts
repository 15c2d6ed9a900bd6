import { Client } from "@elastic/elasticsearch";
import { buildEventRecord, ConfigError, type EventName, type EventRecord, type Logger, S3NotifyError, TargetBatchError } from "@s3notify/core";
import {
  type ElasticsearchTestServer,
  freePort,
  makeTestCertificates,
  startElasticsearchTestServer,
  type TestCertificates,
  targetFixture,
} from "@s3notify/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import elasticsearchTarget, { ElasticsearchTarget, type ElasticsearchTargetConfig, highwayHash64, highwayHash256, namespaceDocumentId } from "./index.js";

// Runs against: testkit's Elasticsearch test server (no real Elasticsearch can run here), through the
// official @elastic/elasticsearch 8 client, read back with a second instance of that client.

const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const fixture = targetFixture(elasticsearchTarget);

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

  // The reference's published HighwayHash-64 vectors (key = bytes 0..31, data = bytes 0..n-1 for n = 0..64):
  // they exercise the packet and every remainder path the 256-bit hash shares; the three MinIO ids above
  // check the 256-bit finalization.
  const EXPECTED_64 = `
0x907A56DE22C26E53 0x7EAB43AAC7CDDD78 0xB8D0569AB0B53D62 0x5C6BEFAB8A463D80 0xF205A46893007EDA 0x2B8A1668E4A94541
0xBD4CCC325BEFCA6F 0x4D02AE1738F59482 0xE1205108E55F3171 0x32D2644EC77A1584 0xF6E10ACDB103A90B 0xC3BBF4615B415C15
0x243CC2040063FA9C 0xA89A58CE65E641FF 0x24B031A348455A23 0x40793F86A449F33B 0xCFAB3489F97EB832 0x19FE67D2C8C5C0E2
0x04DD90A69C565CC2 0x75D9518E2371C504 0x38AD9B1141D3DD16 0x0264432CCD8A70E0 0xA9DB5A6288683390 0xD7B05492003F028C
0x205F615AEA59E51E 0xEEE0C89621052884 0x1BFC1A93A7284F4F 0x512175B5B70DA91D 0xF71F8976A0A2C639 0xAE093FEF1F84E3E7
0x22CA92B01161860F 0x9FC7007CCF035A68 0xA0C964D9ECD580FC 0x2C90F73CA03181FC 0x185CF84E5691EB9E 0x4FC1F5EF2752AA9B
0xF5B7391A5E0A33EB 0xB9B84B83B4E96C9C 0x5E42FE712A5CD9B4 0xA150F2F90C3F97DC 0x7FA522D75E2D637D 0x181AD0CC0DFFD32B
0x3889ED981E854028 0xFB4297E8C586EE2D 0x6D064A45BB28059C 0x90563609B3EC860C 0x7AA4FCE94097C666 0x1326BAC06B911E08
0xB926168D2B154F34 0x9919848945B1948D 0xA2A98FC534825EBE 0xE9809095213EF0B6 0x582E5483707BC0E9 0x086E9414A88A6AF5
0xEE86B98D20F6743D 0xF89B7FF609B1C0A7 0x4C7D9CC19E22C3E8 0x9A97005024562A6F 0x5DD41CF423E6EBEF 0xDF13609C0468E227
0x6E0DA4F64188155A 0xB755BA4B50D7D4A1 0x887A3484647479BD 0xAB8EEBE9BF2139A0 0x75542C5D4CD2A6FF`
    .trim()
    .split(/\s+/)
    .map((hex) => BigInt(hex));

  it("matches the 65 published HighwayHash-64 vectors (shared absorb phase)", () => {
    const key = new Uint8Array(32).map((_, index) => index);
    expect(EXPECTED_64).toHaveLength(65);
    EXPECTED_64.forEach((expected, length) => {
      const data = new Uint8Array(length).map((_, index) => index);
      expect(highwayHash64(key, data).toString(16), `length ${length}`).toBe(expected.toString(16));
    });
    expect(() => highwayHash256(new Uint8Array(16), new Uint8Array(1))).toThrow(RangeError);
  });
});

describe("elasticsearch config", () => {
  it("parses MinIO's keys, moving URL credentials out of the URL", () => {
    const config: ElasticsearchTargetConfig = fixture.parse({ url: "https://elastic:pa%40ss@es.local:9200", index: "minio" }, "_");
    expect(config).toEqual({
      url: "https://es.local:9200",
      format: "namespace",
      index: "minio",
      username: "elastic",
      password: "pa@ss",
      compatShape: "current",
    });
    expect(fixture.parse({ url: "http://es:9200", index: "i", username: "u", password: "p", format: "access" }, "_")).toMatchObject({
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
      fixture.parse({ url: "http://127.0.0.1:9200", index: "i", ...values }, "_");
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).key).toBe(key);
    expect((error as ConfigError).message).toContain(reason);
    expect((error as ConfigError).message).not.toContain("secret");
  });

  it("never quotes a URL that may hold a password", () => {
    expect(() => fixture.parse({ url: "http://u:hunter2@[bad", index: "i" }, "_")).toThrow(/^(?!.*hunter2)/s);
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
    const target = fixture.create({ url: server.url, index: "created-by-open" });
    try {
      expect(await reader.indices.exists({ index: "created-by-open" })).toBe(false);
      await target.open();
      expect(await reader.indices.exists({ index: "created-by-open" })).toBe(true);
      const create = server.requests.find((request) => request.method === "PUT" && request.url === "/created-by-open");
      expect(create?.body).toBe("");
      expect(await target.isActive()).toBe(true);
      // A second target finds it and does not create it again.
      const again = fixture.create({ url: server.url, index: "created-by-open" });
      await again.open();
      await again.close();
      expect(server.requests.filter((request) => request.method === "PUT" && request.url === "/created-by-open")).toHaveLength(1);
    } finally {
      await target.close();
    }
  });

  it("namespace: create, overwrite and delete leave exactly MinIO's documents under the hashed ids", async () => {
    const target = fixture.create({ url: server.url, index: "ns" });
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
    const target = fixture.create({ url: server.url, index: "ns-legacy", compat_shape: "legacy" });
    try {
      const put = record("s3:ObjectCreated:Put", "images", "dir/my photo.jpg");
      await target.send([put, record("s3:ObjectCreated:Put", "images", "gone"), record("s3:ObjectRemoved:Delete", "images", "gone")]);
      expect(await documents("ns-legacy")).toEqual(new Map([["images/dir/my photo.jpg", stored(put)]]));
    } finally {
      await target.close();
    }
  });

  it("access: every event becomes a new document with a server id, no extra fields", async () => {
    const target = fixture.create({ url: server.url, index: "access", format: "access" });
    try {
      const events = [
        record("s3:ObjectCreated:Put", "logs", "x"),
        record("s3:ObjectAccessed:Get", "logs", "x"),
        record("s3:ObjectRemoved:Delete", "logs", "x"),
      ];
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
    const target = fixture.create({ url: server.url, index: "partial", format: "access" });
    const bad = record("s3:ObjectCreated:Put", "logs", "refuse-me");
    server.rejectDocuments((_index, _id, source) =>
      JSON.stringify(source).includes("refuse-me")
        ? { status: 400, type: "mapper_parsing_exception", reason: "failed to parse field [Records.s3.object.size]" }
        : undefined,
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
    const target = fixture.create({ url: server.url, index: "statuses", format: "access" });
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
    const target = fixture.create({ url: old.url, index: "i" });
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
    const target = fixture.create({ url: `http://elastic:Top-Secret-9@127.0.0.1:${await freePort()}`, index: "i" });
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
    const target = fixture.create({ url: server.url, index: "outage", format: "access" });
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
    const fromKeys = fixture.create({ url: server.url, index: "auth", username: "elastic", password: "Secr3t-Pw" });
    const fromUrl = fixture.create({ url: server.url.replace("http://", "http://elastic:Secr3t-Pw@"), index: "auth" });
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
    const target = fixture.create({ url: server.url, index: "auth", username: "elastic", password: "Wrong-Pw-77" });
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

describe("elasticsearch target over https", () => {
  let server: ElasticsearchTestServer;
  let certs: TestCertificates;

  beforeAll(async () => {
    certs = await makeTestCertificates();
    server = await startElasticsearchTestServer({ tls: { cert: certs.server.cert, key: certs.server.key } });
  });
  afterAll(async () => {
    await server?.close();
    await certs?.dispose();
  });

  it("delivers over TLS when the host supplies the CA", async () => {
    const config = fixture.parse({ url: server.url, index: "secure" }, "_");
    const target = new ElasticsearchTarget(config, { targetId: { id: "1", type: "elasticsearch" }, logger: silent }, { tls: { ca: certs.ca } });
    try {
      expect(server.url).toMatch(/^https:/);
      const event = record("s3:ObjectCreated:Put", "secure", "file.txt");
      await target.send([event]);
      expect(server.documents("secure")?.map((document) => document.source)).toEqual([stored(event)]);
    } finally {
      await target.close();
    }
  });

  it("refuses a certificate it cannot verify, retryably", async () => {
    const target = fixture.create({ url: server.url, index: "secure" });
    try {
      const error = await rejection(target.open());
      expect(error.retryable).toBe(true);
      expect(error.message).toMatch(/certificate/i);
    } finally {
      await target.close();
    }
  });
});
