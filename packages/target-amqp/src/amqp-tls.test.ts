import { execFile } from "node:child_process";
import { rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type EventRecord, isRetryable, logEnvelopeJson, type Target } from "@s3notify/core";
import { makeTestCertificates, type RunningService, startService, type TestCertificates, targetFixture } from "@s3notify/testkit";
import amqp, { type Channel, type ChannelModel } from "amqplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import amqpTargetPlugin from "./index.js";

// amqps:// verifies the broker against Node's root certificates, like MinIO's system roots; a private CA is
// trusted with NODE_EXTRA_CA_CERTS, which Node reads only at start: the trusted cases run in a child process.
const here = dirname(fileURLToPath(import.meta.url));
const WRONG_PASSWORD = "wr0ng-amqps-s3cret";

const record: EventRecord = {
  eventVersion: "2.0",
  eventSource: "minio:s3",
  awsRegion: "",
  eventTime: "2026-11-25T18:00:00.000Z",
  eventName: "s3:ObjectCreated:Put",
  userIdentity: { principalId: "minioadmin" },
  requestParameters: { principalId: "minioadmin", region: "", sourceIPAddress: "127.0.0.1" },
  responseElements: { "x-amz-request-id": "REQTLS", "x-minio-origin-endpoint": "http://127.0.0.1:9000" },
  s3: {
    s3SchemaVersion: "1.0",
    configurationId: "Config",
    bucket: { name: "secure", ownerIdentity: { principalId: "minioadmin" }, arn: "arn:aws:s3:::secure" },
    object: { key: "tls%2Fobject.txt", size: 3, eTag: "d41d8cd98f00b204e9800998ecf8427e", sequencer: "18700000000001" },
  },
  source: { host: "127.0.0.1", port: "", userAgent: "test" },
};

const fixture = targetFixture(amqpTargetPlugin);

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe("amqp target: amqps:// against a real RabbitMQ with a TLS listener", () => {
  let certs: TestCertificates | undefined;
  let rabbit: RunningService | undefined;
  let amqpsPort: number;
  let consumer: ChannelModel | undefined;
  let channel: Channel;
  const targets: Target[] = [];

  beforeAll(async () => {
    certs = await makeTestCertificates();
    rabbit = await startService("rabbitmq", {
      tls: { certFile: certs.server.certFile, keyFile: certs.server.keyFile, caFile: certs.caFile },
    });
    const port = rabbit.ports.amqps;
    if (port === undefined) throw new Error("the launcher exposed no amqps port");
    amqpsPort = port;
    // The reader uses the plain listener of the same broker.
    consumer = await amqp.connect(rabbit.url);
    channel = await consumer.createChannel();
  }, 180_000);

  afterAll(async () => {
    for (const entry of targets) await entry.close().catch(() => undefined);
    await consumer?.close().catch(() => undefined);
    await rabbit?.dispose();
    await certs?.dispose();
  }, 60_000);

  it("refuses a broker whose CA is not trusted, retryably, without echoing the password", async () => {
    const untrusted = fixture.create({ url: `amqps://guest:${WRONG_PASSWORD}@127.0.0.1:${amqpsPort}` });
    targets.push(untrusted);
    const error = await untrusted.open().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(Error);
    expect(isRetryable(error)).toBe(true);
    const message = String((error as Error).message);
    expect(message).toMatch(/certificate|self.signed|issuer/i);
    expect(message).not.toContain(WRONG_PASSWORD);
    expect(message).toContain("***");
  });

  it("delivers MinIO's envelope over amqps:// when the CA is trusted; a wrong password never appears in the error", async () => {
    const queue = "s3notify-amqps";
    await channel.assertQueue(queue, { durable: false, autoDelete: false });
    await channel.purgeQueue(queue);
    const received: string[] = [];
    await channel.consume(
      queue,
      (message) => {
        if (message) received.push(message.content.toString("utf8"));
      },
      { noAck: true },
    );

    // Outside src (so no build ever sees it), importing the target by absolute path.
    if (!certs) throw new Error("no certificates");
    const { caFile } = certs;
    const script = join(certs.dir, "amqp-tls-child.mts");
    await writeFile(
      script,
      `import amqpTargetPlugin, { AMQP_KEYS } from ${JSON.stringify(join(here, "index.ts"))};
const raw: Record<string, string> = {};
for (const key of AMQP_KEYS) raw[key.name] = key.default;
const logger = { debug() {}, info() {}, warn() {}, error() {} };
const make = (url: string) => {
  const config = amqpTargetPlugin.parseConfig({ ...raw, url, exchange: "", routing_key: ${JSON.stringify(queue)}, publisher_confirms: "on" }, { targetId: "1", subsystem: "notify_amqp" });
  return amqpTargetPlugin.create(config, { targetId: { id: "1", type: "amqp" }, logger });
};
const good = make("amqps://guest:guest@127.0.0.1:${amqpsPort}");
await good.send([${JSON.stringify(record)}]);
await good.close();
const bad = make("amqps://guest:${WRONG_PASSWORD}@127.0.0.1:${amqpsPort}");
let failure = "(no error)";
try {
  await bad.open();
} catch (error) {
  failure = error instanceof Error ? error.message : String(error);
}
await bad.close();
console.log(JSON.stringify({ sent: true, failure }));
`,
    );
    const output = await new Promise<string>((resolve, reject) => {
      execFile("npx", ["tsx", script], { cwd: here, env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile }, timeout: 60_000 }, (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
      );
    });
    const result = JSON.parse(output.trim().split("\n").pop() ?? "{}") as { sent?: boolean; failure?: string };
    expect(result.sent).toBe(true);

    await waitFor("the envelope on the queue", () => (received.length >= 1 ? true : undefined));
    expect(received).toEqual([logEnvelopeJson(record)]);

    // The TLS handshake succeeded (the CA is trusted), so the failure is the broker refusing the login.
    expect(result.failure).toMatch(/ACCESS_REFUSED|403|auth|login|refused/i);
    expect(result.failure).not.toMatch(/certificate|self.signed|issuer/i);
    expect(result.failure).not.toContain(WRONG_PASSWORD);
    expect(result.failure).toContain("***");
    await rm(script, { force: true });
  }, 90_000);
});
