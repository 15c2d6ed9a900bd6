import { createHash } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import webhookTargetPlugin from "@s3notify/target-webhook";
import { HttpRequest } from "@smithy/protocol-http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type S3NotifyServer, startS3NotifyServer } from "../server/s3notify-server.js";
import { signedRequest, signer } from "../testing/signed-request.js";

const CREDENTIALS = { accessKey: "store-access", secretKey: "store-secret-000" };
const silent = { debug() {}, info() {}, warn() {}, error() {} };
let dataDir: string;
let server: S3NotifyServer;

async function start(): Promise<S3NotifyServer> {
  return startS3NotifyServer({
    dataDir,
    address: "127.0.0.1:0",
    credentials: CREDENTIALS,
    env: {},
    plugins: [webhookTargetPlugin],
    discoverFrom: false,
    logger: silent,
  });
}

/** Opens a signed UNSIGNED-PAYLOAD PUT and returns the live request, so a test can write the body slowly or abort it. */
async function openPut(url: string, path: string, length: number): Promise<{ request: ReturnType<typeof httpRequest>; response: Promise<number> }> {
  const target = new URL(url);
  const headers = { host: target.host, "x-amz-content-sha256": "UNSIGNED-PAYLOAD", "content-length": String(length) };
  const signed = await signer(CREDENTIALS).sign(
    new HttpRequest({ method: "PUT", protocol: "http:", hostname: target.hostname, port: Number(target.port), path, query: {}, headers }),
  );
  let resolveStatus!: (status: number) => void;
  let rejectStatus!: (error: Error) => void;
  const response = new Promise<number>((resolve, reject) => {
    resolveStatus = resolve;
    rejectStatus = reject;
  });
  const request = httpRequest(
    { host: target.hostname, port: target.port, method: "PUT", path, headers: signed.headers as Record<string, string> },
    (incoming) => {
      incoming.resume();
      incoming.on("end", () => resolveStatus(incoming.statusCode ?? 0));
    },
  );
  request.on("error", rejectStatus);
  request.flushHeaders();
  return { request, response };
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "s3notify-store-"));
  server = await start();
  expect((await signedRequest({ url: server.url, method: "PUT", path: "/safe", credentials: CREDENTIALS })).status).toBe(200);
  expect((await signedRequest({ url: server.url, method: "PUT", path: "/safe/object", body: "old version", credentials: CREDENTIALS })).status).toBe(200);
});

afterAll(async () => {
  await server?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function read(path: string): Promise<string> {
  return (await signedRequest({ url: server.url, method: "GET", path, credentials: CREDENTIALS })).body;
}

describe("the filesystem store (real server, raw signed HTTP)", () => {
  it("an upload cut off mid-body leaves the old object and no temp file", async () => {
    const { request, response } = await openPut(server.url, "/safe/object", 1000);
    request.write("half of the new ver");
    await new Promise((resolve) => setTimeout(resolve, 50)); // let the server start writing the temp file
    request.destroy();
    await response.catch(() => undefined);
    const deadline = Date.now() + 5000;
    while ((await readdir(join(dataDir, ".s3notify", "tmp"))).length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await readdir(join(dataDir, ".s3notify", "tmp"))).toEqual([]);
    expect(await read("/safe/object")).toBe("old version");
  });

  it("readers see whole versions while a writer replaces the object", async () => {
    const versions = ["A", "B"].map((letter) => letter.repeat(256 * 1024));
    const digests = new Set(versions.map((version) => createHash("md5").update(version).digest("hex")));
    const writes = Array.from({ length: 8 }, (_, index) =>
      signedRequest({ url: server.url, method: "PUT", path: "/safe/flip", body: versions[index % 2], credentials: CREDENTIALS }),
    );
    await writes[0];
    const reads = Array.from({ length: 16 }, () => read("/safe/flip"));
    const results = await Promise.all([...writes, ...reads]);
    for (const result of results.slice(writes.length)) {
      expect(
        digests.has(
          createHash("md5")
            .update(result as string)
            .digest("hex"),
        ),
      ).toBe(true);
    }
  });

  it("on SIGTERM-style close an in-flight upload finishes, new connections are refused", async () => {
    const body = "finished during shutdown";
    const { request, response } = await openPut(server.url, "/safe/in-flight", body.length);
    request.write(body.slice(0, 5));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closing = server.close();
    request.end(body.slice(5));
    expect(await response).toBe(200);
    await closing;
    await expect(fetch(`${server.url}/minio/health/live`)).rejects.toThrow();
    server = await start();
    expect(await read("/safe/in-flight")).toBe(body);
    expect(await read("/safe/object")).toBe("old version");
  });
});
