import { buildEventRecord, ConfigError, type EventRecord, logEnvelopeJson, S3NotifyError, silentLogger, TargetBatchError } from "@s3notify/core";
import { KafkaErrorCode, KafkaTestBroker, makeTestCertificates, type TestCertificates } from "@s3notify/testkit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import kafkaTarget from "./index.js";
import type { KafkaTarget } from "./kafka-target.js";
import { saramaPartition } from "./sarama-partitioner.js";

const context = { targetId: "1", subsystem: "notify_kafka" };

function makeTarget(values: Record<string, string>): KafkaTarget {
  const config = kafkaTarget.parseConfig({ ...values }, context);
  return kafkaTarget.create(config, { targetId: { id: "1", type: "kafka" }, logger: silentLogger }) as KafkaTarget;
}

function record(key: string, eventName: EventRecord["eventName"] = "s3:ObjectCreated:Put"): EventRecord {
  return buildEventRecord({ eventName, bucket: "images", key, size: 10, eTag: "abc", request: { principalId: "minio", sourceIp: "127.0.0.1" } });
}

function configError(values: Record<string, string>): ConfigError {
  try {
    kafkaTarget.parseConfig(values, context);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("KafkaTarget against the Kafka test broker", () => {
  let broker: KafkaTestBroker;
  const targets: KafkaTarget[] = [];
  beforeAll(async () => {
    broker = await KafkaTestBroker.start();
  });
  afterEach(async () => {
    await Promise.all(targets.splice(0).map((target) => target.close()));
  });
  afterAll(async () => {
    await broker.close();
  });

  function target(values: Record<string, string>): KafkaTarget {
    const made = makeTarget({ brokers: broker.brokers.join(","), ...values });
    targets.push(made);
    return made;
  }

  it("publishes MinIO's envelope keyed by bucket/object, in order, one produce per batch", async () => {
    const kafka = target({ topic: "events" });
    const batch = [record("2024/summer trip/img 01.jpg"), record("b.jpg"), record("b.jpg", "s3:ObjectRemoved:Delete")];
    const producesBefore = broker.requests.filter((api) => api === 0).length;
    await kafka.send(batch);
    expect(broker.requests.filter((api) => api === 0).length - producesBefore).toBe(1);
    const stored = broker.messages("events");
    expect(stored.map((message) => message.key)).toEqual(["images/2024/summer trip/img 01.jpg", "images/b.jpg", "images/b.jpg"]);
    expect(stored.map((message) => message.value)).toEqual(batch.map(logEnvelopeJson));
    expect(await kafka.isActive()).toBe(true);
  });

  it("spreads keys over a topic's partitions exactly as MinIO's producer (sarama's FNV-1a hash partitioner) does", async () => {
    broker.createTopic("spread", 4);
    const kafka = target({ topic: "spread" });
    const keys = ["myphoto.jpg", "2024/holiday/IMG_0000001.jpg", "ü日本.txt", ...Array.from({ length: 20 }, (_, index) => `k${index}`)];
    await kafka.send(keys.map((key) => record(key)));
    const stored = broker.messages("spread");
    const partitionOf = new Map(stored.map((message) => [message.key, message.partition]));
    expect([...partitionOf.keys()].sort()).toEqual(keys.map((key) => `images/${key}`).sort());
    for (const [key, partition] of partitionOf) expect(partition).toBe(saramaPartition(Buffer.from(key ?? "", "utf8"), 4));
    // Sarama's choices for the first keys, computed separately with Go's semantics: not what murmur2 would pick.
    expect(keys.slice(0, 3).map((key) => partitionOf.get(`images/${key}`))).toEqual([3, 2, 1]);
    expect(new Set(partitionOf.values()).size).toBe(4);
    // Within a partition, the batch order holds.
    for (let partition = 0; partition < 4; partition++) {
      const inPartition = stored.filter((message) => message.partition === partition).map((message) => message.key);
      expect(inPartition).toEqual(keys.map((key) => `images/${key}`).filter((key) => partitionOf.get(key) === partition));
    }
  });

  function bigRecord(key: string, bytes: number): EventRecord {
    return buildEventRecord({ eventName: "s3:ObjectCreated:Put", bucket: "images", key, size: 1, userMetadata: { "x-amz-meta-note": "n".repeat(bytes) } });
  }

  it("splits a batch of large events into produce requests that each stay under the broker's 1 MiB limit", async () => {
    const kafka = target({ topic: "large" });
    const batch = Array.from({ length: 12 }, (_, index) => bigRecord(`large-${index}.jpg`, 100_000));
    const producesBefore = broker.requests.filter((api) => api === 0).length;
    await kafka.send(batch);
    expect(broker.requests.filter((api) => api === 0).length - producesBefore).toBe(2);
    expect(broker.messages("large").map((message) => message.key)).toEqual(batch.map((_, index) => `images/large-${index}.jpg`));
  });

  it("reports the requests that went through when a later one of the batch is refused", async () => {
    const kafka = target({ topic: "partly" });
    const batch = [bigRecord("a.jpg", 100_000), bigRecord("b.jpg", 100_000), bigRecord("too-big.jpg", 1_100_000)];
    const error = await kafka.send(batch).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TargetBatchError);
    expect((error as TargetBatchError).delivered).toEqual([0, 1]);
    expect((error as TargetBatchError).retryable).toBe(false);
    expect((error as TargetBatchError).message).toMatch(/2 of 3 events published; then: .*MESSAGE_TOO_LARGE/);
    expect(broker.messages("partly").map((message) => message.key)).toEqual(["images/a.jpg", "images/b.jpg"]);
  });

  it.each(["gzip", "snappy"])("compresses with %s", async (codec) => {
    const kafka = target({ topic: `compressed-${codec}`, compression_codec: codec });
    await kafka.send([record("one.jpg"), record("two.jpg")]);
    expect(broker.messages(`compressed-${codec}`).map((message) => message.key)).toEqual(["images/one.jpg", "images/two.jpg"]);
  });

  it("turns a broker-side retriable error into a retryable failure and a refused message into a permanent one", async () => {
    const kafka = target({ topic: "faults" });
    await kafka.open();
    broker.failNextProduce(10, KafkaErrorCode.requestTimedOut);
    const retryable = await kafka.send([record("a.jpg")]).catch((error: unknown) => error);
    expect(S3NotifyError.isInstance(retryable) && retryable.retryable).toBe(true);
    broker.failNextProduce(0);
    broker.failNextProduce(1, KafkaErrorCode.messageTooLarge);
    const permanent = await kafka.send([record("b.jpg")]).catch((error: unknown) => error);
    expect(S3NotifyError.isInstance(permanent) && !permanent.retryable).toBe(true);
    await kafka.send([record("c.jpg")]);
    expect(broker.messages("faults").map((message) => message.key)).toEqual(["images/c.jpg"]);
  });

  it("fails retryably while the broker is gone and reconnects when it is back", async () => {
    const kafka = target({ topic: "outage" });
    await kafka.send([record("before.jpg")]);
    await broker.stop();
    const failure = await kafka.send([record("during.jpg")]).catch((error: unknown) => error);
    expect(S3NotifyError.isInstance(failure) && failure.retryable).toBe(true);
    expect(await kafka.isActive()).toBe(false);
    await broker.start();
    await kafka.send([record("after.jpg")]);
    expect(broker.messages("outage").map((message) => message.key)).toEqual(["images/before.jpg", "images/after.jpg"]);
  });
});

describe("KafkaTarget SASL and TLS", () => {
  let certs: TestCertificates<"minio">;
  const brokers: KafkaTestBroker[] = [];
  const targets: KafkaTarget[] = [];
  beforeAll(async () => {
    certs = await makeTestCertificates({ clients: ["minio"] });
  });
  afterEach(async () => {
    await Promise.all(targets.splice(0).map((target) => target.close()));
    await Promise.all(brokers.splice(0).map((broker) => broker.close()));
  });
  afterAll(() => certs?.dispose());

  it.each([
    ["plain", "PLAIN"],
    ["sha256", "SCRAM-SHA-256"],
    ["sha512", "SCRAM-SHA-512"],
  ] as const)("authenticates with sasl_mechanism=%s", async (mechanism, brokerMechanism) => {
    const broker = await KafkaTestBroker.start({ sasl: { mechanism: brokerMechanism, username: "minio", password: "kafka-secret" } });
    brokers.push(broker);
    const good = makeTarget({
      brokers: broker.brokers[0] ?? "",
      topic: "auth",
      sasl: "on",
      sasl_mechanism: mechanism,
      sasl_username: "minio",
      sasl_password: "kafka-secret",
    });
    targets.push(good);
    await good.send([record("secret.jpg")]);
    expect(broker.messages("auth")).toHaveLength(1);
    const bad = makeTarget({
      brokers: broker.brokers[0] ?? "",
      topic: "auth",
      sasl: "on",
      sasl_mechanism: mechanism,
      sasl_username: "minio",
      sasl_password: "wrong-password",
    });
    targets.push(bad);
    const failure = await bad.open().catch((error: unknown) => error);
    expect(String(failure)).not.toContain("wrong-password");
    expect(S3NotifyError.isInstance(failure)).toBe(true);
  });

  it("presents a client certificate to a broker that requires one", async () => {
    const broker = await KafkaTestBroker.start({
      tls: {
        key: certs.server.key,
        cert: certs.server.cert,
        ca: certs.ca,
        requestCert: true,
        rejectUnauthorized: true,
      },
    });
    brokers.push(broker);
    const withCert = makeTarget({
      brokers: broker.brokers[0] ?? "",
      topic: "mtls",
      tls: "on",
      tls_skip_verify: "on",
      client_tls_cert: certs.clients.minio.certFile,
      client_tls_key: certs.clients.minio.keyFile,
    });
    targets.push(withCert);
    await withCert.send([record("mtls.jpg")]);
    expect(broker.messages("mtls").map((message) => message.key)).toEqual(["images/mtls.jpg"]);
    const withoutCert = makeTarget({ brokers: broker.brokers[0] ?? "", topic: "mtls", tls: "on", tls_skip_verify: "on" });
    targets.push(withoutCert);
    await expect(withoutCert.open()).rejects.toThrow();
  });
});

describe("notify_kafka config", () => {
  const valid = { brokers: "127.0.0.1:9092", topic: "events" };
  it.each([
    ["empty brokers", { brokers: "" }, "brokers"],
    ["a broker without port", { brokers: "localhost" }, "brokers"],
    ["an empty topic", { topic: "" }, "topic"],
    ["an unknown SASL mechanism", { sasl: "on", sasl_username: "u", sasl_mechanism: "gssapi" }, "sasl_mechanism"],
    ["a cert without key", { client_tls_cert: "/tmp/cert.pem" }, "client_tls_key"],
    ["a non-integer tls_client_auth", { tls_client_auth: "x" }, "tls_client_auth"],
    ["an unsupported codec", { compression_codec: "zstd" }, "compression_codec"],
    ["acks=2", { acks: "2" }, "acks"],
    ["a negative batch size", { batch_size: "-1" }, "batch_size"],
  ])("refuses %s naming the key", (_description, values, key) => {
    const error = configError({ ...valid, ...values });
    expect(error.key).toBe(key);
    expect(error.message).toContain(`notify_kafka:1: ${key}`);
  });

  it("never puts the SASL password in an error", () => {
    const error = configError({ ...valid, sasl: "on", sasl_username: "", sasl_password: "hunter2" });
    expect(error.message).not.toContain("hunter2");
  });

  it("maps MinIO's mechanisms and batch size", () => {
    const config = kafkaTarget.parseConfig({ ...valid, sasl: "on", sasl_username: "u", sasl_mechanism: "SHA512", batch_size: "500" }, context);
    expect(config.sasl?.mechanism).toBe("scram-sha-512");
    expect(config.batchSize).toBe(500);
  });
});
