import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { buildEventRecord, type Logger, recordsJson, S3NotifyError } from "@s3notify/core";
import { freePort, makeTestCertificates, type TestCertificates } from "@s3notify/testkit";
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import redisTarget, { RedisTarget } from "./index.js";

// Runs against: Debian's redis-server started here with a TLS listener only (testkit's launcher has no TLS
// option) and a certificate from a throw-away CA (testkit's makeTestCertificates). `tls` is our extension: MinIO has none.

const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function config(port: number) {
  const raw: Record<string, string> = {};
  for (const key of redisTarget.keys) raw[key.name] = key.default;
  return redisTarget.parseConfig({ ...raw, address: `127.0.0.1:${port}`, key: "tls-events", tls: "on" }, { targetId: "_", subsystem: "notify_redis" });
}

describe("redis target over TLS (tls=on, an s3notify extension)", () => {
  let certs: TestCertificates;
  let folder: string; // the certificates' folder, which also holds the server's files
  let server: ChildProcess | undefined;
  let port: number;
  let ca: string;

  beforeAll(async () => {
    certs = await makeTestCertificates();
    folder = certs.dir;
    ca = certs.ca;
    port = await freePort();
    server = spawn(
      "redis-server",
      [
        "--port",
        "0",
        "--tls-port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        folder,
        "--save",
        "",
        "--appendonly",
        "no",
        "--tls-cert-file",
        certs.server.certFile,
        "--tls-key-file",
        certs.server.keyFile,
        "--tls-ca-cert-file",
        certs.caFile,
        "--tls-auth-clients",
        "no",
        "--logfile",
        join(folder, "redis.log"),
      ],
      { stdio: "ignore" },
    );
    const probe = new RedisTarget(config(port), { targetId: { id: "probe", type: "redis" }, logger: silent }, { tls: { ca } });
    const deadline = Date.now() + 10_000;
    try {
      while (!(await probe.isActive())) {
        if (server.exitCode !== null) throw new Error(`redis-server exited with ${server.exitCode}; see ${folder}/redis.log`);
        if (Date.now() > deadline) throw new Error("redis-server with TLS was not ready within 10 s");
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      await probe.close();
    }
  });
  afterAll(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((resolve) => server?.once("exit", resolve));
      server.kill("SIGTERM");
      await exited;
    }
    await certs?.dispose();
  });

  it("delivers over TLS when the host supplies the CA", async () => {
    const target = new RedisTarget(config(port), { targetId: { id: "1", type: "redis" }, logger: silent }, { tls: { ca } });
    const reader = createClient({ socket: { host: "127.0.0.1", port, tls: true, ca, reconnectStrategy: false } });
    reader.on("error", () => undefined);
    try {
      const event = buildEventRecord({ eventName: "s3:ObjectCreated:Put", bucket: "secure", key: "file.txt", size: 1 });
      await target.send([event]);
      await reader.connect();
      expect(await reader.hGet("tls-events", "secure/file.txt")).toBe(recordsJson(event));
    } finally {
      await target.close();
      await reader.close().catch(() => reader.destroy());
    }
  });

  it("refuses a server certificate it cannot verify, retryably", async () => {
    const target = redisTarget.create(config(port), { targetId: { id: "2", type: "redis" }, logger: silent });
    try {
      const error = await target.open().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(S3NotifyError.isInstance(error)).toBe(true);
      expect((error as S3NotifyError).retryable).toBe(true);
      expect((error as Error).message).toMatch(/certificate/i);
    } finally {
      await target.close();
    }
  });
});
