import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nsq from "nsqjs";
import { afterEach, describe, expect, it } from "vitest";
import { NsqTestServer } from "./nsq-test-server.js";

async function connectWriter(server: NsqTestServer, options: Record<string, unknown> = {}): Promise<nsq.Writer> {
  const writer = new nsq.Writer("127.0.0.1", server.port, options);
  const ready = new Promise<void>((resolve, reject) => {
    writer.once("ready", () => resolve());
    writer.once("error", reject);
  });
  writer.connect();
  await ready;
  return writer;
}

function publish(writer: nsq.Writer, topic: string, messages: string | string[]): Promise<void> {
  return new Promise((resolve, reject) => writer.publish(topic, messages, (error?: Error) => (error ? reject(error) : resolve())));
}

describe("NsqTestServer with nsqjs", () => {
  const servers: NsqTestServer[] = [];
  const writers: nsq.Writer[] = [];
  afterEach(async () => {
    for (const writer of writers.splice(0)) writer.close();
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  async function start(options = {}): Promise<NsqTestServer> {
    const server = await NsqTestServer.start(options);
    servers.push(server);
    return server;
  }

  it("answers IDENTIFY, PUB, MPUB and DPUB in order", async () => {
    const server = await start();
    const writer = await connectWriter(server);
    writers.push(writer);
    await publish(writer, "events", "first");
    await publish(writer, "events", ["second", "third"]);
    await new Promise<void>((resolve, reject) => writer.deferPublish("events", ["later"], 500, (error?: Error) => (error ? reject(error) : resolve())));
    expect(server.messages("events")).toEqual([
      { topic: "events", body: "first", deferMs: 0 },
      { topic: "events", body: "second", deferMs: 0 },
      { topic: "events", body: "third", deferMs: 0 },
      { topic: "events", body: "later", deferMs: 500 },
    ]);
    expect(server.commands.slice(0, 4)).toEqual(["IDENTIFY", "PUB", "MPUB", "DPUB"]);
  });

  it("refuses an invalid topic and reports injected failures", async () => {
    const server = await start();
    const writer = await connectWriter(server);
    writers.push(writer);
    server.failNext(1);
    await expect(publish(writer, "events", "x")).rejects.toThrow(/E_PUB_FAILED/);
    // nsqjs drops a writer connection after any error frame: a producer must reconnect.
    const second = await connectWriter(server);
    writers.push(second);
    await publish(second, "events", "y");
    expect(server.messages("events").map((message) => message.body)).toEqual(["y"]);
    await expect(publish(second, "bad/topic", "z")).rejects.toThrow(/E_BAD_TOPIC/);
  });

  it("upgrades the connection to TLS when the client asks", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nsq-tls-"));
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
        "-keyout",
        join(dir, "key.pem"),
        "-out",
        join(dir, "cert.pem"),
      ]);
      expect(made.status).toBe(0);
      const server = await start({ tls: { key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) } });
      const writer = await connectWriter(server, { tls: true, tlsVerification: false });
      writers.push(writer);
      await publish(writer, "secure", "over tls");
      expect(server.messages("secure").map((message) => message.body)).toEqual(["over tls"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("disappears and comes back on the same port", async () => {
    const server = await start();
    const port = server.port;
    await server.stop();
    const refused = new nsq.Writer("127.0.0.1", port);
    const failure = new Promise<unknown>((resolve) => refused.on("error", resolve));
    refused.connect();
    expect(String(await failure)).toMatch(/ECONNREFUSED/);
    refused.close();
    await server.start();
    expect(server.port).toBe(port);
    const writer = await connectWriter(server);
    writers.push(writer);
    await publish(writer, "events", "back");
    expect(server.messages("events").map((message) => message.body)).toEqual(["back"]);
  });
});
