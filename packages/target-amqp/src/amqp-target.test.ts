import { Buffer } from "node:buffer";
import { readFileSync } from "node:fs";
import { ConfigError, type EventRecord, isRetryable, logEnvelopeJson, S3NotifyError, type Target, TargetBatchError } from "@s3notify/core";
import { type RunningService, startService, targetFixture } from "@s3notify/testkit";
import amqp, { type Channel, type ChannelModel, type ConsumeMessage } from "amqplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import amqpTargetPlugin, { AMQP_KEYS } from "./index.js";

const fixture = targetFixture(amqpTargetPlugin);

function record(index: number, bucket = "photos"): EventRecord {
  return {
    eventVersion: "2.0",
    eventSource: "minio:s3",
    awsRegion: "",
    eventTime: `2026-11-25T18:00:00.${String(index % 1000).padStart(3, "0")}Z`,
    eventName: "s3:ObjectCreated:Put",
    userIdentity: { principalId: "minioadmin" },
    requestParameters: { principalId: "minioadmin", region: "", sourceIPAddress: "127.0.0.1" },
    responseElements: { "x-amz-request-id": `REQ${index}`, "x-minio-origin-endpoint": "http://127.0.0.1:9000" },
    s3: {
      s3SchemaVersion: "1.0",
      configurationId: "Config",
      bucket: { name: bucket, ownerIdentity: { principalId: "minioadmin" }, arn: `arn:aws:s3:::${bucket}` },
      object: {
        key: `dir%2Fobject+${index}.jpg`,
        size: index,
        eTag: "d41d8cd98f00b204e9800998ecf8427e",
        contentType: "image/jpeg",
        userMetadata: { "content-type": "image/jpeg" },
        sequencer: `1870000000000${index}`,
      },
    },
    source: { host: "127.0.0.1", port: "", userAgent: "test" },
  };
}

function configErrorKey(values: Record<string, string>): string | undefined {
  try {
    fixture.parse(values);
  } catch (error) {
    if (error instanceof ConfigError) return error.key;
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

/** Established client TCP connections to `port` on loopback (IPv4), from /proc/net/tcp. */
function connectionsTo(port: number): number {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  return readFileSync("/proc/net/tcp", "utf8")
    .split("\n")
    .slice(1)
    .filter((line) => {
      const fields = line.trim().split(/\s+/);
      return fields[2]?.endsWith(`:${hexPort}`) && fields[3] === "01";
    }).length;
}

/** A real consumer: a queue bound to the exchange, collecting what arrives. */
class Consumer {
  readonly messages: ConsumeMessage[] = [];
  private constructor(
    private readonly model: ChannelModel,
    readonly channel: Channel,
  ) {}

  static async start(url: string, exchange: string, exchangeType: string, queue: string, bindingKey: string, durable = false): Promise<Consumer> {
    const model = await amqp.connect(url);
    const channel = await model.createChannel();
    await channel.assertExchange(exchange, exchangeType, { durable });
    await channel.assertQueue(queue, { durable, exclusive: !durable, autoDelete: false });
    await channel.bindQueue(queue, exchange, bindingKey);
    const consumer = new Consumer(model, channel);
    await channel.consume(
      queue,
      (message) => {
        if (message) consumer.messages.push(message);
      },
      { noAck: true },
    );
    return consumer;
  }

  bodies(): string[] {
    return this.messages.map((message) => message.content.toString("utf8"));
  }

  async close(): Promise<void> {
    await this.model.close().catch(() => undefined);
  }
}

describe("amqp config (MinIO notify_amqp keys)", () => {
  it("declares every MinIO key with MinIO's defaults and the irregular env name", () => {
    expect(AMQP_KEYS.map((key) => key.name)).toEqual([
      "url",
      "exchange",
      "exchange_type",
      "routing_key",
      "mandatory",
      "durable",
      "internal",
      "no_wait",
      "auto_deleted",
      "delivery_mode",
      "publisher_confirms",
    ]);
    expect(AMQP_KEYS.find((key) => key.name === "publisher_confirms")?.envName).toBe("PUBLISHING_CONFIRMS");
    expect(AMQP_KEYS.find((key) => key.name === "url")).toMatchObject({ required: true, secret: true });
    expect(AMQP_KEYS.find((key) => key.name === "delivery_mode")?.default).toBe("0");
  });

  it("parses booleans with MinIO's on-only rule", () => {
    const config = fixture.parse({
      url: "amqp://guest:guest@localhost:5672",
      exchange: "x",
      exchange_type: "fanout",
      durable: "on",
      mandatory: "true",
      internal: "ON",
      publisher_confirms: "on",
      delivery_mode: "2",
    });
    expect(config).toMatchObject({ durable: true, mandatory: false, internal: false, publisherConfirms: true, deliveryMode: 2 });
  });

  it("refuses bad values with a ConfigError naming the key, never echoing the password", () => {
    expect(configErrorKey({ url: "" })).toBe("url");
    expect(configErrorKey({ url: "http://user:hunter2@localhost" })).toBe("url");
    expect(configErrorKey({ url: "amqp://guest:guest@localhost", exchange: "x", exchange_type: "fanot" })).toBe("exchange_type");
    expect(configErrorKey({ url: "amqp://guest:guest@localhost", exchange: "x", exchange_type: "" })).toBe("exchange_type");
    expect(configErrorKey({ url: "amqp://guest:guest@localhost", exchange: "x", exchange_type: "x-delayed-message" })).toBeUndefined();
    expect(configErrorKey({ url: "amqp://guest:guest@localhost", delivery_mode: "3" })).toBe("delivery_mode");
    try {
      fixture.parse({ url: "ftp://user:hunter2@localhost" });
    } catch (error) {
      expect(String((error as Error).message)).not.toContain("hunter2");
    }
  });
});

describe("amqp target against a real RabbitMQ", () => {
  let rabbit: RunningService;
  const targets: Target[] = [];
  const consumers: Consumer[] = [];

  beforeAll(async () => {
    rabbit = await startService("rabbitmq");
  }, 90_000);

  afterAll(async () => {
    for (const target of targets) await target.close();
    for (const consumer of consumers) await consumer.close();
    await rabbit?.dispose();
  });

  function makeTarget(values: Record<string, string>): Target {
    const target = fixture.create({ url: rabbit.url, ...values });
    targets.push(target);
    return target;
  }

  it("publishes MinIO's envelope with its headers, in order, to a bound queue", async () => {
    const consumer = await Consumer.start(rabbit.url, "minio-events", "direct", "q-order", "bucketlogs");
    consumers.push(consumer);
    const target = makeTarget({ exchange: "minio-events", exchange_type: "direct", routing_key: "bucketlogs", delivery_mode: "2" });
    await target.open();
    const batch = Array.from({ length: 50 }, (_, index) => record(index));
    await target.send(batch.slice(0, 20));
    await target.send(batch.slice(20));
    await waitFor("50 messages", () => (consumer.messages.length >= 50 ? true : undefined));
    expect(consumer.bodies()).toEqual(batch.map((event) => logEnvelopeJson(event)));
    const first = consumer.messages[0] as ConsumeMessage;
    expect(first.properties.contentType).toBe("application/json");
    expect(first.properties.deliveryMode).toBe(2);
    expect(first.properties.headers).toEqual({ "minio-bucket": "photos", "minio-event": "s3:ObjectCreated:Put" });
    expect(first.fields.routingKey).toBe("bucketlogs");
    expect(JSON.parse(first.content.toString()).Key).toBe("photos/dir/object 0.jpg");
    expect(await target.isActive()).toBe(true);
  });

  it("waits for publisher confirms of a whole batch", async () => {
    const consumer = await Consumer.start(rabbit.url, "confirmed", "fanout", "q-confirmed", "");
    consumers.push(consumer);
    const target = makeTarget({ exchange: "confirmed", exchange_type: "fanout", publisher_confirms: "on" });
    const batch = Array.from({ length: 256 }, (_, index) => record(index));
    await target.send(batch);
    await waitFor("256 messages", () => (consumer.messages.length >= 256 ? true : undefined));
    expect(consumer.bodies()).toEqual(batch.map((event) => logEnvelopeJson(event)));
    expect(consumer.messages[0]?.properties.deliveryMode).toBeUndefined();
  });

  it("treats an unroutable mandatory message as a permanent failure of that event (with confirms)", async () => {
    const consumer = await Consumer.start(rabbit.url, "routed", "direct", "q-routed", "good");
    consumers.push(consumer);
    const good = makeTarget({ exchange: "routed", exchange_type: "direct", routing_key: "good", mandatory: "on", publisher_confirms: "on" });
    await good.send([record(1), record(2)]);
    await waitFor("2 routed messages", () => (consumer.messages.length >= 2 ? true : undefined));

    const bad = makeTarget({ exchange: "routed", exchange_type: "direct", routing_key: "nowhere", mandatory: "on", publisher_confirms: "on" });
    const error = await bad.send([record(3)]).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(S3NotifyError.isInstance(error)).toBe(true);
    expect(isRetryable(error)).toBe(false);
    expect(String((error as Error).message)).toMatch(/unroutable/);
  });

  it("reports a partial batch when one event is unroutable among routable ones", async () => {
    // A headers exchange routes on minio-bucket: the "other" bucket's event has no queue.
    const headersConsumer = await (async () => {
      const model = await amqp.connect(rabbit.url);
      const channel = await model.createChannel();
      await channel.assertExchange("by-header", "headers", { durable: false });
      await channel.assertQueue("q-header", { exclusive: true });
      await channel.bindQueue("q-header", "by-header", "", { "x-match": "all", "minio-bucket": "photos" });
      const received: string[] = [];
      await channel.consume("q-header", (message) => message && received.push(message.content.toString()), { noAck: true });
      return { model, received };
    })();
    const target = makeTarget({ exchange: "by-header", exchange_type: "headers", mandatory: "on", publisher_confirms: "on" });
    const batch = [record(1, "photos"), record(2, "other"), record(3, "photos")];
    const error = await target.send(batch).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(TargetBatchError);
    expect((error as TargetBatchError).delivered).toEqual([0, 2]);
    expect((error as TargetBatchError).retryable).toBe(false);
    await waitFor("2 header-routed messages", () => (headersConsumer.received.length >= 2 ? true : undefined));
    expect(headersConsumer.received).toEqual([logEnvelopeJson(batch[0] as EventRecord), logEnvelopeJson(batch[2] as EventRecord)]);
    await headersConsumer.model.close();
  });

  it("refuses a message larger than the broker's maximum as permanent, without sending it", async () => {
    const target = makeTarget({ exchange: "confirmed", exchange_type: "fanout" });
    const huge = record(1);
    huge.s3.object.userMetadata = { big: "x".repeat(129 * 1024 * 1024) };
    const error = await target.send([huge]).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(isRetryable(error)).toBe(false);
  });

  it("fails open() retryably when the exchange is declared with another type", async () => {
    const target = makeTarget({ exchange: "confirmed", exchange_type: "topic" });
    const error = await target.open().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(isRetryable(error)).toBe(true);
    expect(String((error as Error).message)).toMatch(/PRECONDITION|inequivalent/);
  });

  it("never puts the password in an error", async () => {
    const target = fixture.create({ url: `amqp://guest:s3cr3tpw@127.0.0.1:${rabbit.port}` });
    targets.push(target);
    const error = await target.open().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeDefined();
    expect(String((error as Error).message)).not.toContain("s3cr3tpw");
    expect(String((error as Error).message)).toContain("***");
    expect(await target.isActive()).toBe(false);
  });

  it("reconnects after the broker restarts and delivers", async () => {
    const consumer = await Consumer.start(rabbit.url, "durable-events", "fanout", "q-durable", "", true);
    const target = makeTarget({ exchange: "durable-events", exchange_type: "fanout", durable: "on", delivery_mode: "2", publisher_confirms: "on" });
    await target.send([record(1)]);
    await waitFor("first message", () => (consumer.messages.length >= 1 ? true : undefined));
    await consumer.close();

    await rabbit.stop();
    const whileDown = await target.send([record(2)]).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(whileDown).toBeDefined();
    expect(isRetryable(whileDown)).toBe(true);
    expect(await target.isActive()).toBe(false);

    await rabbit.start();
    await waitFor("target active again", async () => ((await target.isActive()) ? true : undefined));
    await target.send([record(2), record(3)]);
    const after = await Consumer.start(rabbit.url, "durable-events", "fanout", "q-durable", "", true);
    consumers.push(after);
    await waitFor("messages after restart", () => (after.messages.length >= 2 ? true : undefined));
    expect(after.bodies()).toEqual([logEnvelopeJson(record(2)), logEnvelopeJson(record(3))]);
  }, 120_000);

  it("publishes through the default exchange (exchange empty, routing_key = queue), which it never declares", async () => {
    const model = await amqp.connect(rabbit.url);
    const channel = await model.createChannel();
    await channel.assertQueue("q-default-exchange", { exclusive: true });
    const received: string[] = [];
    await channel.consume("q-default-exchange", (message) => message && received.push(message.content.toString()), { noAck: true });
    const target = makeTarget({ routing_key: "q-default-exchange", publisher_confirms: "on" });
    await target.send([record(7), record(8)]);
    await waitFor("2 messages", () => (received.length >= 2 ? true : undefined));
    expect(received).toEqual([logEnvelopeJson(record(7)), logEnvelopeJson(record(8))]);
    await model.close();
  });

  it("declares the exchange with the configured flags (auto_deleted, internal)", async () => {
    const target = makeTarget({ exchange: "flagged", exchange_type: "topic", auto_deleted: "on", internal: "on" });
    await target.open();
    const model = await amqp.connect(rabbit.url);
    model.on("error", () => undefined);
    const channel = await model.createChannel();
    channel.on("error", () => undefined);
    // Re-declaring with other flags is refused by the broker: the target's flags are the ones in place.
    const mismatch = await channel.assertExchange("flagged", "topic", { durable: false, autoDelete: false, internal: true }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(String(mismatch)).toMatch(/inequivalent arg 'auto_delete'/);
    await model.close().catch(() => undefined);
    const same = await amqp.connect(rabbit.url);
    const sameChannel = await same.createChannel();
    await sameChannel.assertExchange("flagged", "topic", { durable: false, autoDelete: true, internal: true });
    await same.close();
  });

  it("keeps one connection across sends and releases it on close", async () => {
    // Other tests' connections may still be closing: start from a count that holds still.
    let before = connectionsTo(rabbit.port);
    await waitFor("a stable connection count", async () => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const now = connectionsTo(rabbit.port);
      const stable = now === before;
      before = now;
      return stable ? true : undefined;
    });
    const target = makeTarget({ exchange: "confirmed", exchange_type: "fanout", publisher_confirms: "on" });
    for (let index = 0; index < 5; index++) await target.send([record(index)]);
    expect(await target.isActive()).toBe(true);
    expect(connectionsTo(rabbit.port) - before).toBe(1);
    await target.close();
    await waitFor("the connection to close", () => (connectionsTo(rabbit.port) === before ? true : undefined));
  });

  it("closes idempotently and reports inactive afterwards", async () => {
    const target = makeTarget({});
    await target.open();
    await target.close();
    await target.close();
    expect(await target.isActive()).toBe(false);
  });
});

describe("amqp plugin shape", () => {
  it("is a branded plugin with type amqp", () => {
    expect(amqpTargetPlugin.type).toBe("amqp");
    expect(amqpTargetPlugin.arnType).toBe("amqp");
    expect(Buffer.isBuffer(Buffer.from(""))).toBe(true);
  });
});
