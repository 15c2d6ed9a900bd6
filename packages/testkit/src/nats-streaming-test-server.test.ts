import { randomUUID } from "node:crypto";
import stan from "node-nats-streaming";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NatsStreamingTestServer } from "./nats-streaming-test-server.js";
import { startService } from "./start-service.js";
import type { RunningService } from "./types.js";

type Stan = ReturnType<typeof stan.connect>;

function connectClient(url: string, clusterId: string, clientId: string = randomUUID(), options: Record<string, unknown> = {}): Promise<Stan> {
  const client = stan.connect(clusterId, clientId, { url, connectTimeout: 2_000, ...options });
  return new Promise<Stan>((resolve, reject) => {
    client.once("connect", () => resolve(client));
    client.once("error", (error: unknown) => reject(error instanceof Error ? error : new Error(String(error))));
  });
}

function publish(client: Stan, subject: string, data: string): Promise<string> {
  return new Promise((resolve, reject) => {
    client.publish(subject, data, (error, guid) => (error ? reject(new Error(String(error))) : resolve(guid)));
  });
}

function closeClient(client: Stan): Promise<unknown> {
  return new Promise((resolve) => {
    client.once("close", resolve);
    client.close();
  });
}

async function waitFor(what: string, probe: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("NatsStreamingTestServer with the real node-nats-streaming client over a real nats-server", () => {
  let nats: RunningService;
  let server: NatsStreamingTestServer;

  beforeAll(async () => {
    nats = await startService("nats");
    server = await NatsStreamingTestServer.start({ url: nats.url, clusterId: "s3notify-test" });
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await nats?.dispose();
  });

  it("connects, acks publishes with their guid, delivers all to a subscriber with manual acks, closes", async () => {
    const client = await connectClient(nats.url, "s3notify-test");
    expect(server.clients()).toHaveLength(1);
    const guids = [await publish(client, "events", "one"), await publish(client, "events", "two")];
    expect(server.messages("events").map((message) => [message.sequence, message.guid, message.data.toString()])).toEqual([
      [1, guids[0], "one"],
      [2, guids[1], "two"],
    ]);

    const reader = await connectClient(nats.url, "s3notify-test");
    const options = reader.subscriptionOptions().setDeliverAllAvailable().setManualAckMode(true);
    const subscription = reader.subscribe("events", options);
    const got: string[] = [];
    subscription.on("message", (message: { getData(): string | Buffer; getSequence(): number; ack(): void }) => {
      got.push(`${message.getSequence()}:${String(message.getData())}`);
      message.ack();
    });
    await new Promise((resolve) => subscription.once("ready", resolve));
    await publish(client, "events", "three");
    await waitFor("three messages", () => got.length === 3);
    expect(got).toEqual(["1:one", "2:two", "3:three"]);
    await waitFor("three acks", () => server.acks("events").length === 3);
    expect(server.acks("events")).toEqual([1, 2, 3]);

    await new Promise((resolve) => {
      subscription.once("unsubscribed", resolve);
      subscription.unsubscribe();
    });
    expect(await closeClient(reader)).toBeFalsy();
    expect(await closeClient(client)).toBeFalsy();
    expect(server.clients()).toEqual([]);
  });

  it("refuses a duplicate client id", async () => {
    const client = await connectClient(nats.url, "s3notify-test", "same-id");
    await expect(connectClient(nats.url, "s3notify-test", "same-id")).rejects.toThrow(/already registered/);
    await closeClient(client);
  });

  it("fails publishes with PubAck.error on demand, and can stop answering", async () => {
    const client = await connectClient(nats.url, "s3notify-test", randomUUID(), { ackTimeout: 300 });
    server.failNextPublishes(1, "disk full");
    await expect(publish(client, "failing", "x")).rejects.toThrow("disk full");
    await publish(client, "failing", "y");
    server.setPublishMode({ mode: "silent" });
    await expect(publish(client, "failing", "z")).rejects.toThrow(/ack timeout/);
    server.setPublishMode({ mode: "ack" });
    expect(server.messages("failing").map((message) => message.data.toString())).toEqual(["y"]);
    expect(server.received.filter((message) => message.subject === "failing").map((message) => message.data.toString())).toEqual(["x", "y", "z"]);
    await closeClient(client);
  });

  it("an unknown cluster id times out like a missing server", async () => {
    await expect(connectClient(nats.url, "no-such-cluster")).rejects.toThrow(/connect request timeout|timeout/i);
  });

  it("keeps its messages across a restart of the nats-server underneath", async () => {
    const client = await connectClient(nats.url, "s3notify-test");
    await publish(client, "durable", "before");
    await closeClient(client);
    await nats.stop();
    await nats.start();
    const again = await (async () => {
      const deadline = Date.now() + 15_000;
      for (;;) {
        try {
          return await connectClient(nats.url, "s3notify-test");
        } catch (error) {
          if (Date.now() > deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    })();
    await publish(again, "durable", "after");
    expect(server.messages("durable").map((message) => message.data.toString())).toEqual(["before", "after"]);
    await closeClient(again);
  }, 30_000);
});
