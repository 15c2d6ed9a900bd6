import { execFile } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { LogEnvelope } from "@s3notify/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The host runs as built, with plain node in a child process: core is loaded once, from dist, as in production
// (under vitest's source aliases the plugins and the host would load a second copy of core).
const hostDir = fileURLToPath(new URL("..", import.meta.url));
const repoDir = fileURLToPath(new URL("../../..", import.meta.url));
const mainJs = join(hostDir, "dist", "main.js");
const BUILT = [
  mainJs,
  join(repoDir, "packages", "core", "dist", "index.js"),
  join(repoDir, "packages", "target-webhook", "dist", "index.js"),
  join(repoDir, "examples", "jsonl-target", "dist", "index.js"),
];

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs dist/main.js with only the given MINIO_NOTIFY_* variables (none inherited from the test's environment). */
function runHost(notifyEnv: Record<string, string>): Promise<Run> {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith("MINIO_NOTIFY_") && name !== "NODE_OPTIONS" && !name.startsWith("VITEST")) env[name] = value;
  }
  return new Promise((resolve) => {
    execFile(process.execPath, [mainJs], { cwd: hostDir, env: { ...env, ...notifyEnv }, timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe("embedded-host (built dist/main.js under plain node)", () => {
  const webhookBodies: string[] = [];
  let server: Server;
  let port: number;
  let tempDir: string;

  beforeAll(async () => {
    const missing = BUILT.filter((file) => !existsSync(file));
    if (missing.length > 0) {
      throw new Error(`not built: ${missing.join(", ")}. Run \`pnpm build\` (tsc -b) first: this test runs the built host with plain node.`);
    }
    const srcDir = join(hostDir, "src");
    const builtAt = statSync(mainJs).mtimeMs;
    const stale = (await readdir(srcDir)).filter(
      (name) => name.endsWith(".ts") && !name.endsWith(".test.ts") && statSync(join(srcDir, name)).mtimeMs > builtAt,
    );
    if (stale.length > 0) throw new Error(`dist/ is older than src/${stale[0]}: run \`pnpm build\` first.`);

    tempDir = await mkdtemp(join(tmpdir(), "s3notify-embedded-host-"));
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        if (request.method === "POST" && request.url === "/minio/events") webhookBodies.push(Buffer.concat(chunks).toString("utf8"));
        response.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  });

  it("discovers both targets, delivers MinIO's envelopes for the .jpg keys only to the file and the webhook, prints ARNs and stats", async () => {
    const eventsFile = join(tempDir, "out", "events.jsonl");
    const run = await runHost({
      MINIO_NOTIFY_JSONL_ENABLE_1: "on",
      MINIO_NOTIFY_JSONL_PATH_1: eventsFile,
      MINIO_NOTIFY_WEBHOOK_ENABLE_1: "on",
      MINIO_NOTIFY_WEBHOOK_ENDPOINT_1: `http://127.0.0.1:${port}/minio/events`,
    });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const lines = run.stdout.split("\n");
    expect(lines).toContain("target plugins: jsonl (@s3notify-examples/target-jsonl), webhook (@s3notify/target-webhook)");
    const arnLine = lines.find((line) => line.startsWith("SQS ARNs: "));
    expect(arnLine?.slice("SQS ARNs: ".length).split(" ").sort()).toEqual(["arn:minio:sqs::1:jsonl", "arn:minio:sqs::1:webhook"]);
    expect(run.stdout).toMatch(/arn:minio:sqs::1:jsonl active=true sent=3 failed=0 queued=0/);
    expect(run.stdout).toMatch(/arn:minio:sqs::1:webhook active=true sent=3 failed=0 queued=0/);

    const fileLines = (await readFile(eventsFile, "utf8")).split("\n").filter((line) => line !== "");
    const expected = [
      ["s3:ObjectCreated:Put", "uploads/photos/cat.jpg", "photos%2Fcat.jpg"],
      ["s3:ObjectCreated:CompleteMultipartUpload", "uploads/photos/holiday 2026.jpg", "photos%2Fholiday+2026.jpg"],
      ["s3:ObjectRemoved:Delete", "uploads/photos/cat.jpg", "photos%2Fcat.jpg"],
    ];
    for (const received of [fileLines, webhookBodies]) {
      const envelopes = received.map((line) => JSON.parse(line) as LogEnvelope);
      expect(envelopes.map((envelope) => [envelope.EventName, envelope.Key, envelope.Records[0].s3.object.key])).toEqual(expected);
      for (const envelope of envelopes) {
        const record = envelope.Records[0];
        expect(record.eventVersion).toBe("2.0");
        expect(record.eventSource).toBe("minio:s3");
        expect(record.eventName).toBe(envelope.EventName);
        expect(record.s3.bucket).toEqual({ name: "uploads", ownerIdentity: { principalId: "alice" }, arn: "arn:aws:s3:::uploads" });
        expect(record.userIdentity).toEqual({ principalId: "alice" });
      }
      expect(envelopes[0]?.Records[0].s3.object).toMatchObject({ size: 21, eTag: expect.stringMatching(/^[0-9a-f]{32}$/), contentType: "image/jpeg" });
    }
    // Both targets published the same bytes: MinIO's envelope from core's logEnvelopeJson.
    expect(webhookBodies).toEqual(fileLines);
  });

  it("a misconfigured target: exits non-zero with one line naming notify_jsonl:1 and the key path", async () => {
    const run = await runHost({ MINIO_NOTIFY_JSONL_ENABLE_1: "on", MINIO_NOTIFY_JSONL_PATH_1: "relative/path" });
    expect(run.code).not.toBe(0);
    expect(run.code).not.toBeNull();
    const errorLines = run.stderr.split("\n").filter((line) => line.trim() !== "");
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]).toContain("notify_jsonl:1");
    expect(errorLines[0]).toMatch(/\bpath\b/);
    expect(errorLines[0]).toBe('embedded-host: configuration error: notify_jsonl:1: path: path must be absolute, got "relative/path"');
    expect(run.stdout).not.toContain("SQS ARNs:");
  });
});
