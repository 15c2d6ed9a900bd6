import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { rm, writeFile } from "node:fs/promises";
import { createConnection } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type EventRecord, isRetryable, logEnvelopeJson, type Target } from "@s3notify/core";
import { freePort, makeTestCertificates, type TestCertificates, targetFixture } from "@s3notify/testkit";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import mqttTargetPlugin from "./index.js";

// The launcher's Mosquitto is anonymous and plain: these tests start their own with a config file.
const here = dirname(fileURLToPath(import.meta.url));

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

const fixture = targetFixture(mqttTargetPlugin);

async function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(port, "127.0.0.1", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

describe("mqtt target: password and TLS against a real Mosquitto", () => {
  let certs: TestCertificates | undefined;
  let dir: string; // the certificates' folder, which also holds the broker's files
  let child: ChildProcess | undefined;
  let exited: Promise<void> | undefined;
  let plainPort: number;
  let tlsPort: number;
  const targets: Target[] = [];

  beforeAll(async () => {
    certs = await makeTestCertificates();
    dir = certs.dir;
    execFileSync("mosquitto_passwd", ["-c", "-b", join(dir, "passwd"), "minio", "s3cr3t-mqtt"], { stdio: "ignore" });
    plainPort = await freePort();
    tlsPort = await freePort();
    const root = process.getuid?.() === 0 ? ["user root"] : [];
    await writeFile(
      join(dir, "mosquitto.conf"),
      [
        "per_listener_settings false",
        "allow_anonymous false",
        `password_file ${join(dir, "passwd")}`,
        "persistence false",
        ...root,
        `listener ${plainPort} 127.0.0.1`,
        `listener ${tlsPort} 127.0.0.1`,
        `cafile ${certs.caFile}`,
        `certfile ${certs.server.certFile}`,
        `keyfile ${certs.server.keyFile}`,
        "",
      ].join("\n"),
    );
    child = spawn("mosquitto", ["-c", join(dir, "mosquitto.conf")], { stdio: "ignore" });
    exited = new Promise<void>((resolve) => child?.once("exit", () => resolve()));
    const deadline = Date.now() + 10_000;
    while (!((await portOpen(plainPort)) && (await portOpen(tlsPort)))) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error("mosquitto did not start");
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }, 60_000);

  afterAll(async () => {
    for (const entry of targets) await entry.close();
    child?.kill("SIGTERM");
    await exited;
    await certs?.dispose();
  });

  it("delivers with username/password; a wrong password is retryable and never echoed", async () => {
    const reader = await mqtt.connectAsync(`mqtt://127.0.0.1:${plainPort}`, { username: "minio", password: "s3cr3t-mqtt", reconnectPeriod: 0 });
    const received: string[] = [];
    reader.on("message", (_topic, payload) => received.push(payload.toString()));
    await reader.subscribeAsync("secure/events", { qos: 1 });
    const good = fixture.create({ broker: `tcp://127.0.0.1:${plainPort}`, topic: "secure/events", qos: "1", username: "minio", password: "s3cr3t-mqtt" });
    targets.push(good);
    await good.send([record(1)]);
    await expect.poll(() => received.length).toBe(1);
    expect(received[0]).toBe(logEnvelopeJson(record(1)));
    await reader.endAsync();

    const bad = fixture.create({ broker: `tcp://127.0.0.1:${plainPort}`, topic: "secure/events", qos: "1", username: "minio", password: "wrong-mqtt-pass" });
    targets.push(bad);
    const error = await bad.open().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(isRetryable(error)).toBe(true);
    expect(String((error as Error).message)).not.toContain("wrong-mqtt-pass");
    expect(await bad.isActive()).toBe(false);
  });

  it("ssl:// verifies the broker against the system roots: an unknown CA is refused", async () => {
    const untrusted = fixture.create({ broker: `ssl://127.0.0.1:${tlsPort}`, topic: "secure/events", qos: "1", username: "minio", password: "s3cr3t-mqtt" });
    targets.push(untrusted);
    const error = await untrusted.open().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(isRetryable(error)).toBe(true);
    expect(String((error as Error).message)).toMatch(/certificate|self.signed|issuer/i);
  });

  it("ssl://, tls:// and tcps:// deliver when the CA is trusted (NODE_EXTRA_CA_CERTS, in a child process)", async () => {
    // Outside src (so no build ever sees it), importing the target by absolute path.
    if (!certs) throw new Error("no certificates");
    const { caFile } = certs;
    const script = join(dir, "mqtt-tls-child.mts");
    await writeFile(
      script,
      `import mqttTargetPlugin, { MQTT_KEYS } from ${JSON.stringify(join(here, "index.ts"))};
const raw: Record<string, string> = { queue_dir: "" };
for (const key of MQTT_KEYS) raw[key.name] = key.default;
const logger = { debug() {}, info() {}, warn() {}, error() {} };
for (const scheme of ["ssl", "tls", "tcps"]) {
  const config = mqttTargetPlugin.parseConfig({ ...raw, broker: scheme + "://127.0.0.1:${tlsPort}", topic: "secure/tls", qos: "1", username: "minio", password: "s3cr3t-mqtt" }, { targetId: "1", subsystem: "notify_mqtt" });
  const target = mqttTargetPlugin.create(config, { targetId: { id: "1", type: "mqtt" }, logger });
  await target.send([{ eventName: "s3:ObjectCreated:Put", s3: { bucket: { name: "b" }, object: { key: scheme } } } as never]);
  await target.close();
}
console.log("sent");
`,
    );
    const reader = await mqtt.connectAsync(`mqtt://127.0.0.1:${plainPort}`, { username: "minio", password: "s3cr3t-mqtt", reconnectPeriod: 0 });
    const received: string[] = [];
    reader.on("message", (_topic, payload) => received.push(payload.toString()));
    await reader.subscribeAsync("secure/tls", { qos: 1 });
    try {
      const output = await new Promise<string>((resolve, reject) => {
        execFile("npx", ["tsx", script], { cwd: here, env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile }, timeout: 60_000 }, (error, stdout, stderr) =>
          error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
        );
      });
      expect(output).toContain("sent");
      await expect.poll(() => received.length).toBe(3);
      expect(received.map((body) => JSON.parse(body).Key)).toEqual(["b/ssl", "b/tls", "b/tcps"]);
    } finally {
      await reader.endAsync();
      await rm(script, { force: true });
    }
  }, 90_000);
});
