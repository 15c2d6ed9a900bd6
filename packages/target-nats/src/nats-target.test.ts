import { randomUUID } from "node:crypto";
import { ConfigError, type EventRecord, isRetryable, type Logger, logEnvelopeJson, type Target, TargetBatchError } from "@s3notify/core";
import { NatsStreamingTestServer, type RunningService, startService, targetFixture } from "@s3notify/testkit";
import { AckPolicy, connect, DeliverPolicy, type NatsConnection } from "nats";
import stan from "node-nats-streaming";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import natsTargetPlugin, { NATS_KEYS, NatsTarget, StanTarget } from "./index.js";

const fixture = targetFixture(natsTargetPlugin);
const quietLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

function record(index: number): EventRecord {
  return {
    eventVersion: "2.0",
    eventSource: "minio:s3",
    awsRegion: "",
    eventTime: `2026-11-25T18:00:00.${String(index % 1000).padStart(3, "0")}Z`,
    eventName: "s3:ObjectRemoved:Delete",
    userIdentity: { principalId: "minioadmin" },
    requestParameters: { principalId: "minioadmin", region: "", sourceIPAddress: "127.0.0.1" },
    responseElements: { "x-amz-request-id": `REQ${index}` },
    s3: {
      s3SchemaVersion: "1.0",
      configurationId: "Config",
      bucket: { name: "logs", ownerIdentity: { principalId: "minioadmin" }, arn: "arn:aws:s3:::logs" },
      object: { key: `day%3D${index}%2Fx.json`, sequencer: `18700${index}` },
    },
    source: { host: "127.0.0.1", port: "", userAgent: "test" },
  };
}

function configError(values: Record<string, string>): ConfigError | undefined {
  try {
    fixture.parse(values);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  return undefined;
}

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe("nats config (MinIO notify_nats keys)", () => {
  it("declares MinIO's keys, with the env-only ones marked", () => {
    expect(NATS_KEYS.filter((key) => !key.envOnly).map((key) => key.name)).toEqual([
      "address",
      "subject",
      "username",
      "password",
      "token",
      "tls",
      "tls_skip_verify",
      "cert_authority",
      "client_cert",
      "client_key",
      "ping_interval",
      "jetstream",
      "streaming",
      "streaming_async",
      "streaming_max_pub_acks_in_flight",
      "streaming_cluster_id",
    ]);
    expect(NATS_KEYS.filter((key) => key.envOnly).map((key) => [key.name, key.envName])).toEqual([
      ["user_credentials", "USER_CREDENTIALS"],
      ["nkey_seed", "NKEY_SEED"],
      ["tls_handshake_first", "TLS_HANDSHAKE_FIRST"],
    ]);
    expect(NATS_KEYS.filter((key) => key.secret).map((key) => key.name)).toEqual(["password", "token"]);
  });

  it("refuses bad values with MinIO's messages, naming the key", () => {
    expect(configError({ address: "", subject: "s" })).toMatchObject({ key: "address" });
    expect(configError({ address: "", subject: "s" })?.message).toContain("empty address");
    expect(configError({ address: "nats://localhost:4222", subject: "s" })?.key).toBe("address");
    expect(configError({ address: "localhost:4222", subject: "" })?.message).toContain("empty subject");
    expect(configError({ address: "localhost:4222", subject: "a.*" })?.key).toBe("subject");
    expect(configError({ address: "localhost:4222", subject: "s", username: "u" })?.message).toContain("username and password must be specified as a pair");
    expect(configError({ address: "localhost:4222", subject: "s", client_cert: "/c.pem" })?.message).toContain("cert and key must be specified as a pair");
    expect(configError({ address: "localhost:4222", subject: "s", ping_interval: "10s" })?.key).toBe("ping_interval");
    expect(configError({ address: "localhost:4222", subject: "s", streaming: "on" })).toMatchObject({ key: "streaming_cluster_id" });
    expect(configError({ address: "localhost:4222", subject: "s", streaming: "on" })?.message).toContain("empty cluster id");
    expect(configError({ address: "localhost:4222", subject: "s", streaming_max_pub_acks_in_flight: "x" })?.key).toBe("streaming_max_pub_acks_in_flight");
  });

  it("parses lists, on-only booleans and picks the mode like MinIO (streaming wins)", () => {
    expect(fixture.parse({ address: "a:4222, b:4223", subject: "s" }).servers).toEqual(["a:4222", "b:4223"]);
    expect(fixture.parse({ address: "a:4222", subject: "s", jetstream: "true" }).jetstream).toBe(false);
    const logger = quietLogger;
    expect(
      natsTargetPlugin.create(fixture.parse({ address: "a:1", subject: "s", jetstream: "on" }), { targetId: { id: "1", type: "nats" }, logger }),
    ).toBeInstanceOf(NatsTarget);
    expect(
      natsTargetPlugin.create(fixture.parse({ address: "a:1", subject: "s", jetstream: "on", streaming: "on", streaming_cluster_id: "c" }), {
        targetId: { id: "1", type: "nats" },
        logger,
      }),
    ).toBeInstanceOf(StanTarget);
  });
});

describe("nats target against a real nats-server with JetStream", () => {
  let nats: RunningService;
  let reader: NatsConnection;
  const targets: Target[] = [];

  beforeAll(async () => {
    nats = await startService("nats");
    reader = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  }, 60_000);

  afterAll(async () => {
    for (const target of targets) await target.close();
    await reader?.close();
    await nats?.dispose();
  });

  function makeTarget(values: Record<string, string>): Target {
    const target = fixture.create({ address: `127.0.0.1:${nats.port}`, ...values });
    targets.push(target);
    return target;
  }

  it("core NATS: a subscriber receives every envelope in order", async () => {
    const received: string[] = [];
    const subscription = reader.subscribe("minio.core", { callback: (_error, message) => received.push(message.string()) });
    await reader.flush();
    const target = makeTarget({ subject: "minio.core" });
    await target.open();
    const batch = Array.from({ length: 100 }, (_, index) => record(index));
    await target.send(batch.slice(0, 30));
    await target.send(batch.slice(30));
    await waitFor("100 messages", () => (received.length >= 100 ? true : undefined));
    expect(received).toEqual(batch.map((event) => logEnvelopeJson(event)));
    expect(JSON.parse(received[0] as string).Key).toBe("logs/day=0/x.json");
    subscription.unsubscribe();
  });

  it("core NATS: a message above max_payload is permanent, the rest of the batch is delivered", async () => {
    const received: string[] = [];
    const subscription = reader.subscribe("minio.big", { callback: (_error, message) => received.push(message.string()) });
    await reader.flush();
    const target = makeTarget({ subject: "minio.big" });
    const huge = record(1);
    huge.s3.object.userMetadata = { big: "x".repeat(2 * 1024 * 1024) };
    const error = await target.send([record(0), huge, record(2)]).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(TargetBatchError);
    expect((error as TargetBatchError).delivered).toEqual([0, 2]);
    expect(isRetryable(error)).toBe(false);
    await waitFor("2 messages", () => (received.length >= 2 ? true : undefined));
    subscription.unsubscribe();
  });

  it("JetStream: open() refuses while no stream captures the subject, then publishes with PubAcks in order", async () => {
    const target = makeTarget({ subject: "minio.js.events", jetstream: "on" });
    const error = await target.open().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(isRetryable(error)).toBe(true);
    expect(String((error as Error).message)).toMatch(/no JetStream stream captures subject 'minio.js.events'/);

    const manager = await reader.jetstreamManager();
    await manager.streams.add({ name: "MINIO", subjects: ["minio.js.>"] });
    await target.open();
    const batch = Array.from({ length: 200 }, (_, index) => record(index));
    await target.send(batch.slice(0, 64));
    await target.send(batch.slice(64));

    const consumer = await manager.consumers.add("MINIO", { durable_name: "reader", ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All });
    const js = reader.jetstream();
    const messages = await (await js.consumers.get("MINIO", consumer.name)).fetch({ max_messages: 200, expires: 5_000 });
    const received: string[] = [];
    for await (const message of messages) {
      received.push(message.string());
      message.ack();
      if (received.length === 200) break;
    }
    expect(received).toEqual(batch.map((event) => logEnvelopeJson(event)));
  });

  it("JetStream: a publish nobody stores (stream deleted) fails retryably", async () => {
    const manager = await reader.jetstreamManager();
    await manager.streams.add({ name: "GONE", subjects: ["minio.gone"] });
    const target = makeTarget({ subject: "minio.gone", jetstream: "on" });
    await target.open();
    await target.send([record(1)]);
    await manager.streams.delete("GONE");
    const error = await target.send([record(2)]).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(isRetryable(error)).toBe(true);
    expect(String((error as Error).message)).toMatch(/no JetStream stream captures subject/);
  });

  it("JetStream: refuses a message over the stream's max_msg_size as permanent", async () => {
    const manager = await reader.jetstreamManager();
    await manager.streams.add({ name: "SMALL", subjects: ["minio.small"], max_msg_size: 200 });
    const target = makeTarget({ subject: "minio.small", jetstream: "on" });
    const error = await target.send([record(1)]).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(isRetryable(error)).toBe(false);
  });

  it("JetStream: concurrent sends on one connection each get their own PubAcks, a refusal lands on its own index", async () => {
    const manager = await reader.jetstreamManager();
    await manager.streams.add({ name: "SHARED", subjects: ["minio.shared"], max_msg_size: 4_000 });
    const target = makeTarget({ subject: "minio.shared", jetstream: "on" });
    await target.open();
    const big = record(1);
    big.s3.object.userMetadata = { note: "x".repeat(5_000) };
    const [first, second] = await Promise.allSettled([target.send([record(0), big, record(2)]), target.send([record(3), record(4)])]);
    expect(second.status).toBe("fulfilled");
    const error = first.status === "rejected" ? first.reason : undefined;
    expect(error).toBeInstanceOf(TargetBatchError);
    expect((error as TargetBatchError).delivered).toEqual([0, 2]);
    expect(isRetryable(error)).toBe(false);
    expect((error as Error).message).toMatch(/1 of 3 messages failed: .*10054/);
    const stored = await Promise.all([1, 2, 3, 4].map((sequence) => manager.streams.getMessage("SHARED", { seq: sequence })));
    expect(stored.map((message) => new TextDecoder().decode(message.data))).toEqual([0, 2, 3, 4].map((index) => logEnvelopeJson(record(index))));
    expect((await manager.streams.info("SHARED")).state.messages).toBe(4);
  });

  it("reconnects after the server restarts (JetStream data kept) and delivers", async () => {
    const manager = await reader.jetstreamManager();
    await manager.streams.add({ name: "RESTART", subjects: ["minio.restart"] });
    const target = makeTarget({ subject: "minio.restart", jetstream: "on" });
    await target.open();
    await target.send([record(1)]);

    await nats.stop();
    const whileDown = await target.send([record(2)]).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(whileDown).toBeDefined();
    expect(isRetryable(whileDown)).toBe(true);
    expect(await target.isActive()).toBe(false);

    await nats.start();
    await waitFor("target active again", async () => ((await target.isActive()) ? true : undefined));
    await waitFor("send after restart", () =>
      target.send([record(2), record(3)]).then(
        () => true,
        () => undefined,
      ),
    );
    await waitFor("reader reconnected", () => (reader.isClosed() ? undefined : true));
    const info = await waitFor("stream info", () =>
      manager.streams.info("RESTART").then(
        (value) => value,
        () => undefined,
      ),
    );
    expect(info.state.messages).toBeGreaterThanOrEqual(3);
    const stored = await Promise.all([1, 2, 3].map((sequence) => manager.streams.getMessage("RESTART", { seq: sequence })));
    expect(stored.map((message) => new TextDecoder().decode(message.data))).toEqual([1, 2, 3].map((index) => logEnvelopeJson(record(index))));
  }, 60_000);

  it("takes a comma-separated address list and connects to a live server in it", async () => {
    const received: string[] = [];
    const subscription = reader.subscribe("minio.list", { callback: (_error, message) => received.push(message.string()) });
    await reader.flush();
    const target = fixture.create({ address: `127.0.0.1:1, 127.0.0.1:${nats.port}`, subject: "minio.list" });
    targets.push(target);
    await target.send([record(1)]);
    await waitFor("1 message", () => (received.length >= 1 ? true : undefined));
    subscription.unsubscribe();
  });

  it("never leaks the token or password, reports inactive for a closed port, closes idempotently", async () => {
    const target = fixture.create({ address: "127.0.0.1:1", subject: "s", token: "t0ps3cret" });
    const error = await target.open().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(isRetryable(error)).toBe(true);
    expect(String((error as Error).message)).not.toContain("t0ps3cret");
    expect(await target.isActive()).toBe(false);
    await target.close();
    await target.close();
  });
});

describe("nats target in NATS Streaming mode (test STAN server on a real nats-server)", () => {
  let nats: RunningService;
  let server: NatsStreamingTestServer;
  const targets: Target[] = [];

  beforeAll(async () => {
    nats = await startService("nats");
    server = await NatsStreamingTestServer.start({ url: nats.url, clusterId: "minio-cluster" });
  }, 60_000);

  afterAll(async () => {
    for (const target of targets) await target.close();
    await server?.close();
    await nats?.dispose();
  });

  function makeTarget(values: Record<string, string>): Target {
    const target = fixture.create({ address: `127.0.0.1:${nats.port}`, streaming: "on", streaming_cluster_id: "minio-cluster", ...values });
    targets.push(target);
    return target;
  }

  it("publishes with acks, in order; a real streaming subscriber reads them back", async () => {
    const target = makeTarget({ subject: "stan.events" });
    await target.open();
    const batch = Array.from({ length: 50 }, (_, index) => record(index));
    await target.send(batch.slice(0, 20));
    await target.send(batch.slice(20));
    expect(server.messages("stan.events").map((message) => message.data.toString())).toEqual(batch.map((event) => logEnvelopeJson(event)));

    const client = stan.connect("minio-cluster", randomUUID(), { url: nats.url });
    await new Promise((resolve) => client.once("connect", resolve));
    const got: string[] = [];
    const subscription = client.subscribe("stan.events", client.subscriptionOptions().setDeliverAllAvailable());
    subscription.on("message", (message: { getData(): string | Buffer }) => got.push(String(message.getData())));
    await waitFor("50 read back", () => (got.length >= 50 ? true : undefined));
    expect(got).toEqual(batch.map((event) => logEnvelopeJson(event)));
    await new Promise((resolve) => {
      client.once("close", resolve);
      client.close();
    });
  });

  it("keeps at most streaming_max_pub_acks_in_flight publishes unacknowledged (the client fails the rest otherwise)", async () => {
    const target = makeTarget({ subject: "stan.window", streaming_max_pub_acks_in_flight: "4" });
    const batch = Array.from({ length: 50 }, (_, index) => record(index));
    await target.send(batch);
    expect(server.messages("stan.window").map((message) => message.data.toString())).toEqual(batch.map((event) => logEnvelopeJson(event)));
    expect(server.received.filter((message) => message.subject === "stan.window")).toHaveLength(50);
  });

  it("turns a PubAck error into a retryable failure naming what arrived", async () => {
    const target = makeTarget({ subject: "stan.failing" });
    await target.open();
    server.failNextPublishes(1, "store full");
    const error = await target.send([record(1), record(2)]).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(TargetBatchError);
    expect((error as TargetBatchError).delivered).toEqual([1]);
    expect(isRetryable(error)).toBe(true);
    expect(String((error as Error).message)).toContain("store full");
  });

  it("streaming_async does not wait for acks", async () => {
    const target = makeTarget({ subject: "stan.async", streaming_async: "on", streaming_max_pub_acks_in_flight: "8" });
    server.setPublishMode({ mode: "silent" });
    try {
      await target.send([record(1), record(2)]);
    } finally {
      server.setPublishMode({ mode: "ack" });
    }
    await waitFor("2 received", () => (server.received.filter((message) => message.subject === "stan.async").length >= 2 ? true : undefined));
  });

  it("reconnects after the nats-server restarts and delivers", async () => {
    const target = makeTarget({ subject: "stan.restart" });
    await target.send([record(1)]);
    await nats.stop();
    const whileDown = await target.send([record(2)]).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(isRetryable(whileDown)).toBe(true);
    await nats.start();
    await waitFor(
      "send after restart",
      () =>
        target.send([record(2), record(3)]).then(
          () => true,
          () => undefined,
        ),
      30_000,
    );
    expect(server.messages("stan.restart").map((message) => message.data.toString())).toEqual([1, 2, 3].map((index) => logEnvelopeJson(record(index))));
  }, 60_000);

  it("cannot connect to an unknown cluster: retryable; close is idempotent and the client is gone", async () => {
    const target = makeTarget({ subject: "s", streaming_cluster_id: "nope" });
    const error = await target.open().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(isRetryable(error)).toBe(true);
    const good = makeTarget({ subject: "s" });
    await good.open();
    const before = server.clients().length;
    await good.close();
    await good.close();
    expect(server.clients().length).toBe(before - 1);
    expect(await good.isActive()).toBe(false);
  });
});
