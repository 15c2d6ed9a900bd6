import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { CompressionTypes, Kafka, type KafkaConfig, logLevel } from "kafkajs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { KafkaErrorCode, KafkaTestBroker } from "./kafka-test-broker.js";

const run = promisify(execFile);

function client(broker: KafkaTestBroker, extra: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({ clientId: "test", brokers: broker.brokers, logLevel: logLevel.NOTHING, retry: { retries: 3, initialRetryTime: 50 }, ...extra });
}

describe("KafkaTestBroker with kafkajs", () => {
  let broker: KafkaTestBroker;
  beforeAll(async () => {
    broker = await KafkaTestBroker.start({ partitions: 1 });
  });
  afterAll(async () => {
    await broker.close();
  });

  it("stores keys, values and headers with consecutive offsets", async () => {
    const producer = client(broker).producer();
    await producer.connect();
    const [result] = await producer.send({
      topic: "plain",
      messages: [
        { key: "images/a.jpg", value: "one", headers: { source: "test" } },
        { key: "images/b.jpg", value: "two" },
      ],
    });
    await producer.send({ topic: "plain", messages: [{ key: "images/c.jpg", value: "three" }] });
    await producer.disconnect();
    expect(result?.errorCode).toBe(0);
    const stored = broker.messages("plain");
    expect(stored.map((message) => [message.offset, message.key, message.value])).toEqual([
      [0n, "images/a.jpg", "one"],
      [1n, "images/b.jpg", "two"],
      [2n, "images/c.jpg", "three"],
    ]);
    expect(stored[0]?.headers).toEqual({ source: "test" });
  });

  it("decodes gzip batches and idempotent producers", async () => {
    const producer = client(broker).producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic: "gzip", compression: CompressionTypes.GZIP, messages: [{ value: "zipped-1" }, { value: "zipped-2" }] });
    await producer.disconnect();
    const stored = broker.messages("gzip");
    expect(stored.map((message) => message.value)).toEqual(["zipped-1", "zipped-2"]);
    expect(stored[0]?.producerId).toBeGreaterThanOrEqual(1000n);
  });

  it("returns retriable errors the client retries, and non-retriable ones it reports", async () => {
    const producer = client(broker).producer();
    await producer.connect();
    broker.failNextProduce(1, KafkaErrorCode.requestTimedOut);
    await producer.send({ topic: "flaky", messages: [{ value: "after-retry" }] });
    expect(broker.messages("flaky").map((message) => message.value)).toEqual(["after-retry"]);
    broker.failNextProduce(1, KafkaErrorCode.messageTooLarge);
    await expect(producer.send({ topic: "flaky", messages: [{ value: "refused" }] })).rejects.toThrow(/too large|larger/i);
    await producer.disconnect();
  });

  it("goes away and comes back on the same port", async () => {
    const producer = client(broker).producer();
    await producer.connect();
    await producer.send({ topic: "outage", messages: [{ value: "before" }] });
    await broker.stop();
    await expect(producer.send({ topic: "outage", messages: [{ value: "during" }] })).rejects.toThrow();
    await broker.start();
    await producer.send({ topic: "outage", messages: [{ value: "after" }] });
    await producer.disconnect();
    expect(broker.messages("outage").map((message) => message.value)).toEqual(["before", "after"]);
  });
});

describe("KafkaTestBroker SASL and TLS", () => {
  const brokers: KafkaTestBroker[] = [];
  afterEach(async () => {
    await Promise.all(brokers.splice(0).map((broker) => broker.close()));
  });

  for (const mechanism of ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] as const) {
    it(`authenticates ${mechanism} and refuses a wrong password`, async () => {
      const broker = await KafkaTestBroker.start({ sasl: { mechanism, username: "minio", password: "s3cret" } });
      brokers.push(broker);
      const kafkajsMechanism = mechanism.toLowerCase() as "plain" | "scram-sha-256" | "scram-sha-512";
      const good = client(broker, { sasl: { mechanism: kafkajsMechanism, username: "minio", password: "s3cret" } as never }).producer();
      await good.connect();
      await good.send({ topic: "auth", messages: [{ value: "authenticated" }] });
      await good.disconnect();
      expect(broker.messages("auth")).toHaveLength(1);
      const bad = client(broker, { sasl: { mechanism: kafkajsMechanism, username: "minio", password: "wrong" } as never, retry: { retries: 0 } }).producer();
      await expect(bad.connect()).rejects.toThrow(/SASL|authentication/i);
    });
  }

  it("serves TLS with SCRAM-SHA-256", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kafka-tls-"));
    try {
      const made = spawnSync("openssl", [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-keyout",
        join(dir, "key.pem"),
        "-out",
        join(dir, "cert.pem"),
      ]);
      expect(made.status).toBe(0);
      const cert = readFileSync(join(dir, "cert.pem"));
      const broker = await KafkaTestBroker.start({
        tls: { key: readFileSync(join(dir, "key.pem")), cert },
        sasl: { mechanism: "SCRAM-SHA-256", username: "u", password: "p" },
      });
      brokers.push(broker);
      const producer = client(broker, { ssl: { ca: [cert] }, sasl: { mechanism: "scram-sha-256", username: "u", password: "p" } }).producer();
      await producer.connect();
      await producer.send({ topic: "tls", messages: [{ value: "encrypted" }] });
      await producer.disconnect();
      expect(broker.messages("tls").map((message) => message.value)).toEqual(["encrypted"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("KafkaTestBroker with an independent client (kcat / librdkafka)", () => {
  let broker: KafkaTestBroker;
  beforeAll(async () => {
    broker = await KafkaTestBroker.start();
  });
  afterAll(async () => {
    await broker.close();
  });

  it("accepts kcat's produce requests and serves them back to kcat's consumer", async () => {
    const bootstrap = broker.brokers.join(",");
    const child = execFile("kcat", ["-P", "-b", bootstrap, "-t", "kcat", "-K", ":"]);
    child.stdin?.end("k1:hello from librdkafka\nk2:second line\n");
    await new Promise<void>((resolve, reject) => child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`kcat -P exited ${code}`)))));
    expect(broker.messages("kcat").map((message) => [message.key, message.value])).toEqual([
      ["k1", "hello from librdkafka"],
      ["k2", "second line"],
    ]);
    const producer = client(broker).producer();
    await producer.connect();
    await producer.send({ topic: "kcat", messages: [{ key: "k3", value: "from kafkajs" }] });
    await producer.disconnect();
    const { stdout } = await run("kcat", ["-C", "-b", bootstrap, "-t", "kcat", "-o", "beginning", "-e", "-f", "%k=%s\\n"], { timeout: 20_000 });
    expect(stdout.trim().split("\n")).toEqual(["k1=hello from librdkafka", "k2=second line", "k3=from kafkajs"]);
  });

  it("refuses a retainBytes that is not a whole number of bytes, naming the option", async () => {
    for (const retainBytes of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(KafkaTestBroker.start({ retainBytes })).rejects.toThrow(/retainBytes must be a whole number of bytes/);
    }
  });

  it("with retainBytes deletes the oldest batches: messages(), ListOffsets and kcat's consumer see only the newest", async () => {
    const small = await KafkaTestBroker.start({ retainBytes: 150 });
    try {
      const producer = client(small).producer();
      await producer.connect();
      for (const value of ["one", "two", "three"]) await producer.send({ topic: "kept", messages: [{ key: value, value: value.repeat(20) }] });
      // Each batch is over 100 bytes: after the third, only it fits under 150.
      expect(small.messages("kept").map((message) => [message.offset, message.key])).toEqual([[2n, "three"]]);
      const consume = async () =>
        (await run("kcat", ["-C", "-b", small.brokers.join(","), "-t", "kept", "-o", "beginning", "-e", "-f", "%o %k\\n"], { timeout: 20_000 })).stdout.trim();
      expect(await consume()).toBe("2 three");
      // Past a thousand deletions the log compacts its index; the newest batch is still the one served.
      for (let index = 3; index < 1_200; index++) await producer.send({ topic: "kept", messages: [{ key: `k${index}`, value: "v".repeat(120) }] });
      await producer.disconnect();
      expect(await consume()).toBe("1199 k1199");
      expect(
        small
          .messages("kept")
          .slice(1)
          .map((message) => [message.offset, message.key]),
      ).toEqual([[1199n, "k1199"]]);
    } finally {
      await small.close();
    }
  });
});
