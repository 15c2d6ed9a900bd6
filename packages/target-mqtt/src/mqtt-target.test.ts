import { ConfigError, type EventRecord, isRetryable, logEnvelopeJson, type Target } from "@s3notify/core";
import { type RunningService, startService, targetFixture } from "@s3notify/testkit";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import mqttTargetPlugin, { MQTT_KEYS, minioClientId, parseGoDurationMs } from "./index.js";

const fixture = targetFixture(mqttTargetPlugin);

function record(index: number): EventRecord {
  return {
    eventVersion: "2.0",
    eventSource: "minio:s3",
    awsRegion: "",
    eventTime: `2026-11-25T18:00:00.${String(index % 1000).padStart(3, "0")}Z`,
    eventName: "s3:ObjectCreated:Put",
    userIdentity: { principalId: "minioadmin" },
    requestParameters: { principalId: "minioadmin", region: "", sourceIPAddress: "127.0.0.1" },
    responseElements: { "x-amz-request-id": `REQ${index}` },
    s3: {
      s3SchemaVersion: "1.0",
      configurationId: "Config",
      bucket: { name: "photos", ownerIdentity: { principalId: "minioadmin" }, arn: "arn:aws:s3:::photos" },
      object: { key: `a+b%2F${index}.txt`, size: index, eTag: "abc", contentType: "text/plain", sequencer: `18700${index}` },
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

/** A real subscriber on the topic. */
async function subscribe(url: string, topic: string, qos: 0 | 1 | 2): Promise<{ client: MqttClient; received: string[] }> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 200 });
  const received: string[] = [];
  client.on("message", (_topic, payload) => received.push(payload.toString("utf8")));
  await client.subscribeAsync(topic, { qos });
  return { client, received };
}

describe("mqtt config (MinIO notify_mqtt keys)", () => {
  it("declares MinIO's keys and defaults", () => {
    expect(MQTT_KEYS.map((key) => [key.name, key.default])).toEqual([
      ["broker", ""],
      ["topic", ""],
      ["username", ""],
      ["password", ""],
      ["qos", "0"],
      ["keep_alive_interval", "0s"],
      ["reconnect_interval", "0s"],
    ]);
    expect(MQTT_KEYS.find((key) => key.name === "password")?.secret).toBe(true);
  });

  it("maps MinIO's schemes onto mqtt.js's and applies MinIO's zero defaults", () => {
    expect(fixture.parse({ broker: "tcp://localhost:1883", topic: "t" }).brokerUrl).toBe("mqtt://localhost:1883");
    expect(fixture.parse({ broker: "ssl://localhost:8883", topic: "t" }).brokerUrl).toBe("mqtts://localhost:8883");
    expect(fixture.parse({ broker: "tls://localhost:8883", topic: "t" }).brokerUrl).toBe("mqtts://localhost:8883");
    expect(fixture.parse({ broker: "tcps://localhost:8883", topic: "t" }).brokerUrl).toBe("mqtts://localhost:8883");
    expect(fixture.parse({ broker: "ws://localhost:8080/mqtt", topic: "t" }).brokerUrl).toBe("ws://localhost:8080/mqtt");
    expect(fixture.parse({ broker: "wss://localhost:8443", topic: "t" }).brokerUrl).toMatch(/^wss:\/\/localhost:8443/);
    const config = fixture.parse({ broker: "tcp://localhost:1883", topic: "t" });
    expect(config.keepAliveIntervalMs).toBe(10_000);
    expect(config.reconnectIntervalMs).toBe(600_000);
    expect(fixture.parse({ broker: "tcp://localhost:1883", topic: "t", keep_alive_interval: "1m30s", reconnect_interval: "500ms" })).toMatchObject({
      keepAliveIntervalMs: 90_000,
      reconnectIntervalMs: 500,
    });
    expect(parseGoDurationMs("1h2m3.5s")).toBe(3_723_500);
    expect(parseGoDurationMs("10")).toBeUndefined();
  });

  it("refuses bad values with a ConfigError naming the key", () => {
    expect(configError({ broker: "mqtt://localhost:1883", topic: "t" })?.key).toBe("broker");
    expect(configError({ broker: "mqtt://localhost:1883", topic: "t" })?.message).toContain("unknown protocol in broker address");
    expect(configError({ broker: "http://localhost", topic: "t" })?.key).toBe("broker");
    expect(configError({ broker: "", topic: "t" })?.key).toBe("broker");
    expect(configError({ broker: "tcp://localhost:1883", topic: "" })?.key).toBe("topic");
    expect(configError({ broker: "tcp://localhost:1883", topic: "t", qos: "3" })?.key).toBe("qos");
    const queued = configError({ broker: "tcp://localhost:1883", topic: "t", qos: "0", queue_dir: "/tmp/q" });
    expect(queued?.key).toBe("qos");
    expect(queued?.message).toContain("qos should be set to 1 or 2 if queueDir is set");
    expect(configError({ broker: "tcp://localhost:1883", topic: "t", qos: "1", queue_dir: "/tmp/q" })).toBeUndefined();
    expect(configError({ broker: "tcp://localhost:1883", topic: "t", keep_alive_interval: "10" })?.key).toBe("keep_alive_interval");
    expect(configError({ broker: "tcp://localhost:1883", topic: "t", reconnect_interval: "soon" })?.key).toBe("reconnect_interval");
  });

  it("makes MinIO's client id: hex Unix nanoseconds", () => {
    const id = minioClientId();
    expect(id).toMatch(/^[0-9a-f]{15,16}$/);
    expect(Number(BigInt(`0x${id}`) / 1_000_000n)).toBeGreaterThan(Date.now() - 60_000);
  });
});

describe("mqtt target against a real Mosquitto", () => {
  let mosquitto: RunningService;
  const targets: Target[] = [];
  const subscribers: MqttClient[] = [];

  beforeAll(async () => {
    mosquitto = await startService("mosquitto");
  }, 60_000);

  afterAll(async () => {
    for (const target of targets) await target.close();
    for (const client of subscribers) await client.endAsync(true).catch(() => undefined);
    await mosquitto?.dispose();
  });

  function makeTarget(values: Record<string, string>): Target {
    const target = fixture.create(values);
    targets.push(target);
    return target;
  }

  for (const qos of [0, 1, 2] as const) {
    for (const transport of ["tcp", "ws"] as const) {
      it(`delivers every envelope in order at qos ${qos} over ${transport}://`, async () => {
        const topic = `minio/${transport}/${qos}`;
        const subscriber = await subscribe(mosquitto.url, topic, qos);
        subscribers.push(subscriber.client);
        const broker = transport === "tcp" ? `tcp://127.0.0.1:${mosquitto.port}` : `ws://127.0.0.1:${mosquitto.ports.ws}/mqtt`;
        const target = makeTarget({ broker, topic, qos: String(qos) });
        await target.open();
        // 40 > Mosquitto's 20 in-flight QoS 2 messages: a pipelined sender without a window loses some.
        const batch = Array.from({ length: 40 }, (_, index) => record(index));
        await target.send(batch.slice(0, 15));
        await target.send(batch.slice(15));
        await waitFor("40 messages", () => (subscriber.received.length >= 40 ? true : undefined)).catch((error: unknown) => {
          throw new Error(`${String(error)}: got ${subscriber.received.map((text) => JSON.parse(text).Records[0].s3.object.size).join(",")}`);
        });
        expect(subscriber.received).toEqual(batch.map((event) => logEnvelopeJson(event)));
        expect(JSON.parse(subscriber.received[0] as string)).toMatchObject({ EventName: "s3:ObjectCreated:Put", Key: "photos/a b/0.txt" });
      });
    }
  }

  it("fails retryably while the broker is down and delivers after it is back", async () => {
    const topic = "minio/restart";
    const target = makeTarget({ broker: `tcp://127.0.0.1:${mosquitto.port}`, topic, qos: "1" });
    await target.send([record(1)]);
    expect(await target.isActive()).toBe(true);

    await mosquitto.stop();
    const whileDown = await target.send([record(2)]).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(whileDown).toBeDefined();
    expect(isRetryable(whileDown)).toBe(true);
    expect(await target.isActive()).toBe(false);

    await mosquitto.start();
    const subscriber = await subscribe(mosquitto.url, topic, 1);
    subscribers.push(subscriber.client);
    await waitFor("target active again", async () => ((await target.isActive()) ? true : undefined));
    await target.send([record(2), record(3)]);
    await waitFor("2 messages after restart", () => (subscriber.received.length >= 2 ? true : undefined));
    expect(subscriber.received).toEqual([logEnvelopeJson(record(2)), logEnvelopeJson(record(3))]);
  }, 60_000);

  it("cannot connect to a closed port: retryable, inactive; close is idempotent", async () => {
    const target = makeTarget({ broker: "tcp://127.0.0.1:1", topic: "t", qos: "1", password: "hunter2", username: "u" });
    const error = await target.open().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(isRetryable(error)).toBe(true);
    expect(String((error as Error).message)).not.toContain("hunter2");
    expect(await target.isActive()).toBe(false);
    await target.close();
    await target.close();
  });
});
