import { type ChildProcess, execFile, spawn } from "node:child_process";
import { rm, writeFile } from "node:fs/promises";
import { createConnection } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type EventRecord, isRetryable, logEnvelopeJson, type Target } from "@s3notify/core";
import { freePort, makeTestCertificates, type TestCertificates, targetFixture } from "@s3notify/testkit";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import mqttTargetPlugin from "./index.js";

// The launcher's Mosquitto has no TLS: this test starts its own with a TLS websockets listener (wss://).
// Mosquitto 2.0.11 refuses a config with only a websockets listener, so a plain TCP one (the reader's) is there too.
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
      bucket: { name: "secure-ws", ownerIdentity: { principalId: "minioadmin" }, arn: "arn:aws:s3:::secure-ws" },
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

describe("mqtt target: wss:// against a real Mosquitto with a TLS websockets listener", () => {
  let certs: TestCertificates | undefined;
  let dir: string | undefined; // the certificates' folder, which also holds the broker's files
  let child: ChildProcess | undefined;
  let exited: Promise<void> | undefined;
  let plainPort: number;
  let wssPort: number;
  const targets: Target[] = [];

  beforeAll(async () => {
    certs = await makeTestCertificates();
    dir = certs.dir;
    plainPort = await freePort();
    wssPort = await freePort();
    const root = process.getuid?.() === 0 ? ["user root"] : [];
    await writeFile(
      join(dir, "mosquitto.conf"),
      [
        "per_listener_settings false",
        "allow_anonymous true",
        "persistence false",
        ...root,
        `log_dest file ${join(dir, "mosquitto.log")}`,
        `listener ${plainPort} 127.0.0.1`,
        `listener ${wssPort} 127.0.0.1`,
        "protocol websockets",
        `certfile ${certs.server.certFile}`,
        `keyfile ${certs.server.keyFile}`,
        "",
      ].join("\n"),
    );
    child = spawn("mosquitto", ["-c", join(dir, "mosquitto.conf")], { stdio: "ignore" });
    exited = new Promise<void>((resolve) => child?.once("exit", () => resolve()));
    const deadline = Date.now() + 10_000;
    while (!((await portOpen(plainPort)) && (await portOpen(wssPort)))) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error("mosquitto did not start");
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }, 60_000);

  afterAll(async () => {
    for (const entry of targets) await entry.close();
    if (child && child.exitCode === null) {
      child.kill("SIGTERM");
      await exited;
    }
    await certs?.dispose();
  });

  it("wss:// verifies the broker against the system roots: an unknown CA is refused", async () => {
    const untrusted = fixture.create({ broker: `wss://127.0.0.1:${wssPort}`, topic: "secure/wss", qos: "1" });
    targets.push(untrusted);
    const error = await untrusted.open().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(isRetryable(error)).toBe(true);
    expect(String((error as Error).message)).toMatch(/certificate|self.signed|issuer/i);
  });

  it("wss:// delivers MinIO's envelope when the CA is trusted (NODE_EXTRA_CA_CERTS, in a child process)", async () => {
    if (!certs || !dir) throw new Error("no certificates");
    const { caFile } = certs;
    // Outside src (so no build ever sees it), importing the target by absolute path.
    const script = join(dir, "mqtt-wss-child.mts");
    await writeFile(
      script,
      `import mqttTargetPlugin, { MQTT_KEYS } from ${JSON.stringify(join(here, "index.ts"))};
const raw: Record<string, string> = { queue_dir: "" };
for (const key of MQTT_KEYS) raw[key.name] = key.default;
const logger = { debug() {}, info() {}, warn() {}, error() {} };
const config = mqttTargetPlugin.parseConfig({ ...raw, broker: "wss://127.0.0.1:${wssPort}", topic: "secure/wss", qos: "1" }, { targetId: "1", subsystem: "notify_mqtt" });
const target = mqttTargetPlugin.create(config, { targetId: { id: "1", type: "mqtt" }, logger });
await target.send([${JSON.stringify(record(7))}]);
await target.close();
console.log("sent");
`,
    );
    const reader = await mqtt.connectAsync(`mqtt://127.0.0.1:${plainPort}`, { reconnectPeriod: 0 });
    const received: string[] = [];
    reader.on("message", (_topic, payload) => received.push(payload.toString()));
    await reader.subscribeAsync("secure/wss", { qos: 1 });
    try {
      const output = await new Promise<string>((resolve, reject) => {
        execFile("npx", ["tsx", script], { cwd: here, env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile }, timeout: 60_000 }, (error, stdout, stderr) =>
          error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
        );
      });
      expect(output).toContain("sent");
      await expect.poll(() => received.length, { timeout: 10_000 }).toBe(1);
      expect(received).toEqual([logEnvelopeJson(record(7))]);
    } finally {
      await reader.endAsync();
      await rm(script, { force: true });
    }
  }, 90_000);
});
