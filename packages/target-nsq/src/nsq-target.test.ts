import { buildEventRecord, ConfigError, type EventRecord, logEnvelopeJson, S3NotifyError, silentLogger } from "@s3notify/core";
import { makeTestCertificates, NsqTestServer } from "@s3notify/testkit";
import { afterEach, describe, expect, it } from "vitest";
import nsqTarget from "./index.js";
import type { NsqTarget } from "./nsq-target.js";

const context = { targetId: "1", subsystem: "notify_nsq" };

function record(key: string): EventRecord {
  return buildEventRecord({ eventName: "s3:ObjectCreated:Put", bucket: "images", key, size: 3, request: { principalId: "minio" } });
}

describe("NsqTarget against the test nsqd", () => {
  const servers: NsqTestServer[] = [];
  const targets: NsqTarget[] = [];
  afterEach(async () => {
    await Promise.all(targets.splice(0).map((target) => target.close()));
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  async function setup(values: Record<string, string> = {}, options = {}): Promise<{ server: NsqTestServer; target: NsqTarget }> {
    const server = await NsqTestServer.start(options);
    servers.push(server);
    const config = nsqTarget.parseConfig({ nsqd_address: server.address, topic: "minio", tls: "off", tls_skip_verify: "off", ...values }, context);
    const target = nsqTarget.create(config, { targetId: { id: "1", type: "nsq" }, logger: silentLogger }) as NsqTarget;
    targets.push(target);
    return { server, target };
  }

  it("publishes one PUB for one event and one MPUB for a batch, in order, with MinIO's envelope", async () => {
    const { server, target } = await setup();
    const single = record("a.jpg");
    const batch = [record("b.jpg"), record("c d.jpg"), record("e.jpg")];
    await target.send([single]);
    await target.send(batch);
    expect(server.commands.filter((command) => command !== "IDENTIFY")).toEqual(["PUB", "MPUB"]);
    expect(server.messages("minio").map((message) => message.body)).toEqual([single, ...batch].map(logEnvelopeJson));
    expect(await target.isActive()).toBe(true);
  });

  it("fails retryably on E_PUB_FAILED and reconnects for the next send", async () => {
    const { server, target } = await setup();
    server.failNext(1);
    const failure = await target.send([record("x.jpg")]).catch((error: unknown) => error);
    expect(S3NotifyError.isInstance(failure) && failure.retryable).toBe(true);
    await target.send([record("y.jpg")]);
    expect(server.messages("minio").map((message) => JSON.parse(message.body).Key)).toEqual(["images/y.jpg"]);
  });

  it("fails permanently when nsqd refuses the message itself", async () => {
    const { target } = await setup({}, { maxMessageBytes: 100 });
    const failure = await target.send([record("too-big.jpg")]).catch((error: unknown) => error);
    expect(S3NotifyError.isInstance(failure) && !failure.retryable).toBe(true);
    expect(String(failure)).toContain("E_BAD_MESSAGE");
  });

  it("fails retryably while nsqd is gone and delivers after it is back", async () => {
    const { server, target } = await setup();
    await target.send([record("before.jpg")]);
    await server.stop();
    const failure = await target.send([record("during.jpg")]).catch((error: unknown) => error);
    expect(S3NotifyError.isInstance(failure) && failure.retryable).toBe(true);
    expect(await target.isActive()).toBe(false);
    await server.start();
    await target.send([record("after.jpg")]);
    expect(server.messages("minio").map((message) => JSON.parse(message.body).Key)).toEqual(["images/before.jpg", "images/after.jpg"]);
  });

  it("upgrades to TLS with tls=on", async () => {
    const certs = await makeTestCertificates();
    try {
      const { server, target } = await setup({ tls: "on", tls_skip_verify: "on" }, { tls: { key: certs.server.key, cert: certs.server.cert } });
      await target.send([record("secure.jpg")]);
      expect(server.messages("minio")).toHaveLength(1);
    } finally {
      await certs.dispose();
    }
  });
});

describe("notify_nsq config", () => {
  it.each([
    ["an empty address", { nsqd_address: "" }, "nsqd_address"],
    ["an address without port", { nsqd_address: "localhost" }, "nsqd_address"],
    ["an empty topic", { topic: "" }, "topic"],
    ["an invalid topic", { topic: "bad topic" }, "topic"],
  ])("refuses %s naming the key", (_description, values, key) => {
    let error: unknown;
    try {
      nsqTarget.parseConfig({ nsqd_address: "127.0.0.1:4150", topic: "minio", ...values }, context);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).key).toBe(key);
  });
});
