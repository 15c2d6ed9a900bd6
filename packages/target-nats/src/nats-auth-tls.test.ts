import { type ChildProcess, spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { createConnection } from "node:net";
import { join } from "node:path";
import { type EventRecord, isRetryable, logEnvelopeJson, type Target } from "@s3notify/core";
import { freePort, makeTestCertificates, type TestCertificates, targetFixture } from "@s3notify/testkit";
import { connect, nkeys } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import natsTargetPlugin from "./index.js";

// The launcher's nats-server has no auth and no TLS: these tests start their own with a config file.

function record(index: number): EventRecord {
  return {
    eventVersion: "2.0",
    eventSource: "minio:s3",
    awsRegion: "",
    eventTime: "2026-11-25T18:00:00.000Z",
    eventName: "s3:ObjectCreated:Put",
    userIdentity: { principalId: "minioadmin" },
    requestParameters: null,
    responseElements: {},
    s3: {
      s3SchemaVersion: "1.0",
      configurationId: "Config",
      bucket: { name: "secure", ownerIdentity: { principalId: "minioadmin" }, arn: "arn:aws:s3:::secure" },
      object: { key: `k${index}`, sequencer: `1${index}` },
    },
    source: { host: "", port: "", userAgent: "" },
  };
}

const fixture = targetFixture(natsTargetPlugin);

async function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(port, "127.0.0.1", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

interface Server {
  readonly port: number;
  stop(): Promise<void>;
}

async function natsServer(dir: string, name: string, config: (port: number) => string): Promise<Server> {
  const port = await freePort();
  const file = join(dir, `${name}.conf`);
  await writeFile(file, config(port));
  const child: ChildProcess = spawn("nats-server", ["-c", file], { stdio: "ignore" });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 10_000;
  while (!(await portOpen(port))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`nats-server ${name} did not start`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return {
    port,
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** A subscriber that authenticates like `options`, collecting payloads. */
async function subscriber(options: Parameters<typeof connect>[0], subject: string): Promise<{ received: string[]; close(): Promise<void> }> {
  const nc = await connect(options);
  const received: string[] = [];
  nc.subscribe(subject, { callback: (_error, message) => received.push(message.string()) });
  await nc.flush();
  return { received, close: () => nc.close() };
}

describe("nats target: authentication and TLS against real nats-servers", () => {
  let certs: TestCertificates<"minio">;
  let dir: string; // the certificates' folder, which also holds the servers' files
  const servers: Server[] = [];
  const targets: Target[] = [];
  let userPass: Server;
  let token: Server;
  let nkey: Server;
  let tls: Server;
  let seed: Uint8Array;

  beforeAll(async () => {
    certs = await makeTestCertificates({ clients: ["minio"] });
    dir = certs.dir;

    const user = nkeys.createUser();
    seed = user.getSeed();
    await writeFile(join(dir, "minio.nk"), new TextDecoder().decode(seed));

    userPass = await natsServer(dir, "userpass", (port) => `listen: 127.0.0.1:${port}\nauthorization { user: minio, password: "s3cr3t-pass" }\n`);
    token = await natsServer(dir, "token", (port) => `listen: 127.0.0.1:${port}\nauthorization { token: "s3cr3t-token" }\n`);
    nkey = await natsServer(dir, "nkey", (port) => `listen: 127.0.0.1:${port}\nauthorization { users: [ { nkey: ${user.getPublicKey()} } ] }\n`);
    tls = await natsServer(
      dir,
      "tls",
      (port) =>
        `listen: 127.0.0.1:${port}\ntls { cert_file: "${certs.server.certFile}", key_file: "${certs.server.keyFile}", ca_file: "${certs.caFile}", verify: true }\n`,
    );
    servers.push(userPass, token, nkey, tls);
  }, 60_000);

  afterAll(async () => {
    for (const entry of targets) await entry.close();
    for (const server of servers) await server.stop();
    await certs?.dispose();
  });

  function track(entry: Target): Target {
    targets.push(entry);
    return entry;
  }

  it("username/password: delivers with the right pair, refuses the wrong one without echoing it", async () => {
    const reader = await subscriber({ servers: `127.0.0.1:${userPass.port}`, user: "minio", pass: "s3cr3t-pass" }, "auth.up");
    const good = track(fixture.create({ address: `127.0.0.1:${userPass.port}`, subject: "auth.up", username: "minio", password: "s3cr3t-pass" }));
    await good.send([record(1)]);
    const bad = track(fixture.create({ address: `127.0.0.1:${userPass.port}`, subject: "auth.up", username: "minio", password: "wrong-pass-value" }));
    const error = await bad.open().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(isRetryable(error)).toBe(true);
    expect(String((error as Error).message)).not.toContain("wrong-pass-value");
    expect(await bad.isActive()).toBe(false);
    await expect.poll(() => reader.received.length).toBe(1);
    expect(reader.received[0]).toBe(logEnvelopeJson(record(1)));
    await reader.close();
  });

  it("token", async () => {
    const reader = await subscriber({ servers: `127.0.0.1:${token.port}`, token: "s3cr3t-token" }, "auth.token");
    const good = track(fixture.create({ address: `127.0.0.1:${token.port}`, subject: "auth.token", token: "s3cr3t-token" }));
    await good.send([record(2)]);
    await expect.poll(() => reader.received.length).toBe(1);
    await reader.close();
    const bad = track(fixture.create({ address: `127.0.0.1:${token.port}`, subject: "auth.token" }));
    expect(await bad.isActive()).toBe(false);
  });

  it("NKey seed file from the env-only nkey_seed key", async () => {
    const reader = await subscriber({ servers: `127.0.0.1:${nkey.port}`, authenticator: (await import("nats")).nkeyAuthenticator(seed) }, "auth.nkey");
    const good = track(fixture.create({ address: `127.0.0.1:${nkey.port}`, subject: "auth.nkey", nkey_seed: join(dir, "minio.nk") }));
    await good.send([record(3)]);
    await expect.poll(() => reader.received.length).toBe(1);
    await reader.close();
  });

  it("TLS with cert_authority and a client certificate (server verifies clients)", async () => {
    const ca = certs.caFile;
    const client = certs.clients.minio;
    const reader = await subscriber(
      { servers: `127.0.0.1:${tls.port}`, tls: { caFile: ca, certFile: client.certFile, keyFile: client.keyFile } },
      "tls.events",
    );
    const good = track(
      fixture.create({
        address: `127.0.0.1:${tls.port}`,
        subject: "tls.events",
        tls: "on",
        cert_authority: ca,
        client_cert: client.certFile,
        client_key: client.keyFile,
      }),
    );
    await good.send([record(4), record(5)]);
    await expect.poll(() => reader.received.length).toBe(2);
    await reader.close();

    // Without the CA the server's certificate is not trusted; with tls_skip_verify it is accepted
    // (the server still wants a client certificate, so one is given).
    const untrusted = track(
      fixture.create({ address: `127.0.0.1:${tls.port}`, subject: "tls.events", tls: "on", client_cert: client.certFile, client_key: client.keyFile }),
    );
    expect(await untrusted.isActive()).toBe(false);
    const skipping = track(
      fixture.create({
        address: `127.0.0.1:${tls.port}`,
        subject: "tls.events",
        tls: "on",
        tls_skip_verify: "on",
        client_cert: client.certFile,
        client_key: client.keyFile,
      }),
    );
    expect(await skipping.isActive()).toBe(true);
    // Without a client certificate the server refuses the handshake.
    const anonymous = track(fixture.create({ address: `127.0.0.1:${tls.port}`, subject: "tls.events", tls: "on", cert_authority: ca }));
    expect(await anonymous.isActive()).toBe(false);
  });
});
