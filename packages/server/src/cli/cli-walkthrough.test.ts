import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWebhookReceiver } from "../testing/webhook-receiver.js";

// The README walkthrough, run through the built CLI (`pnpm -s build` first; the test command does it).
const MAIN = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
const NODE = process.execPath;

let work: string;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let server: ChildProcess;
let serverOutput = "";
let serverUrl = "";

function cliEnv(): NodeJS.ProcessEnv {
  return { ...process.env, S3NOTIFY_CONFIG_DIR: join(work, "cli-config"), MINIO_ROOT_USER: "", MINIO_ROOT_PASSWORD: "", NODE_NO_WARNINGS: "1" };
}

function run(args: string[], input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [MAIN, ...args], { env: cliEnv(), stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? "");
  });
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

beforeAll(async () => {
  await stat(MAIN).catch(() => {
    throw new Error(`${MAIN} is missing: build first (pnpm -s build)`);
  });
  work = await mkdtemp(join(tmpdir(), "s3notify-cli-"));
  receiver = await startWebhookReceiver();
  // The disabled redis target only parses if the server discovered @s3notify/target-redis from its package.json.
  await writeFile(
    join(work, "notify.json"),
    JSON.stringify({
      notify: {
        webhook: { "1": { enable: true, endpoint: receiver.url } },
        redis: { cache: { enable: false, address: "127.0.0.1:6399", key: "events", format: "namespace" } },
      },
    }),
  );
  server = spawn(NODE, [MAIN, "server", join(work, "data"), "--address", "127.0.0.1:0", "--config", join(work, "notify.json")], {
    env: cliEnv(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  server.stdout?.on("data", (chunk: Buffer) => (serverOutput += chunk.toString()));
  server.stderr?.on("data", (chunk: Buffer) => (serverOutput += chunk.toString()));
  await waitFor(() => /S3-API: (http:\/\/\S+)/.test(serverOutput), "the server banner");
  serverUrl = /S3-API: (http:\/\/\S+)/.exec(serverOutput)?.[1] ?? "";
}, 60_000);

afterAll(async () => {
  if (server && server.exitCode === null) {
    server.kill("SIGTERM");
    await new Promise((resolve) => server.once("exit", resolve));
  }
  await receiver?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe("the README walkthrough through the s3notify CLI (built entry point spawned with node, real server process, node:http webhook receiver)", {
  timeout: 90_000,
}, () => {
  it("prints the banner with the ARN (a disabled redis target, from a discovered plugin, has none) and the default-credentials warning", () => {
    expect(serverOutput).toContain("SQS ARNs: arn:minio:sqs::1:webhook \n");
    expect(serverOutput).toContain("credentials from built-in defaults");
    expect(serverOutput).toContain("Detected default credentials");
  });

  it("sets an alias, makes a bucket, adds a rule, uploads, and the webhook gets the event", async () => {
    const alias = await run(["alias", "set", "local", serverUrl, "minioadmin", "minioadmin"]);
    expect(alias.code, alias.stderr).toBe(0);
    expect((await stat(join(work, "cli-config", "config.json"))).mode & 0o077).toBe(0);
    expect((await run(["mb", "local/images"])).code).toBe(0);
    const add = await run(["event", "add", "local/images", "arn:minio:sqs::1:webhook", "--event", "put", "--suffix", ".jpg"]);
    expect([add.code, add.stdout]).toEqual([0, "Successfully added arn:minio:sqs::1:webhook\n"]);
    const again = await run(["event", "add", "local/images", "arn:minio:sqs::1:webhook", "--event", "put", "--suffix", ".jpg"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^s3notify: Overlapping Queue configs/);
    const list = await run(["event", "list", "local/images"]);
    expect(list.stdout).toBe('arn:minio:sqs::1:webhook   s3:ObjectCreated:*   Filter: suffix=".jpg"\n');

    const photo = join(work, "myphoto.jpg");
    await writeFile(photo, "not really a jpeg");
    const upload = await run(["cp", photo, "local/images/"]);
    expect(upload.code, upload.stderr).toBe(0);
    await run(["cp", photo, "local/images/notes.txt"]);
    await receiver.waitFor((events) => events.length >= 1);
    expect(receiver.events.map((event) => event.Key)).toEqual(["images/myphoto.jpg"]);
    const download = await run(["cp", "local/images/myphoto.jpg", join(work, "back.jpg")]);
    expect(download.code).toBe(0);
    expect(await readFile(join(work, "back.jpg"), "utf8")).toBe("not really a jpeg");
  });

  it("event listen prints events as they happen", async () => {
    const listener = spawn(NODE, [MAIN, "event", "listen", "local/images", "--event", "put"], { env: cliEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let printed = "";
    listener.stdout?.on("data", (chunk: Buffer) => (printed += chunk.toString()));
    try {
      const photo = join(work, "live.jpg");
      await writeFile(photo, "12345");
      // The stream opens asynchronously: upload (once a second) until the listener prints the event.
      const deadline = Date.now() + 30_000;
      while (!printed.includes("live.jpg") && Date.now() < deadline) {
        await run(["cp", photo, "local/images/live.jpg"]);
        await waitFor(() => printed.includes("live.jpg") || Date.now() > deadline, "the listener", 1000).catch(() => undefined);
      }
      expect(printed).toMatch(/^\[\d{4}-\d\d-\d\dT[\d:.]+Z\] 5 B s3:ObjectCreated:Put http:\/\/127\.0\.0\.1:\d+\/images\/live\.jpg$/m);
    } finally {
      listener.kill("SIGINT");
      await new Promise((resolve) => listener.once("exit", resolve));
    }
  });

  it("admin config get redacts secrets; set applies a new target live and reports the ARNs; a bad config names the key and changes nothing", async () => {
    const bad = await run(["admin", "config", "set", "local"], JSON.stringify({ notify: { webhook: { "1": { enable: true, endpoint: "ftp://nowhere" } } } }));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^s3notify: XMinioAdminConfigError: .*notify_webhook:1: endpoint/);
    const second = await startWebhookReceiver();
    try {
      const good = await run(
        ["admin", "config", "set", "local"],
        JSON.stringify({ notify: { webhook: { "1": { enable: true, endpoint: second.url, authToken: "very-secret-token" } } } }),
      );
      expect(good.code, good.stderr).toBe(0);
      expect(good.stdout).toContain("SQS ARNs: arn:minio:sqs::1:webhook");
      await waitFor(() => serverOutput.split("SQS ARNs:").length > 2, "the server to print the new ARNs");
      const shown = await run(["admin", "config", "get", "local"]);
      expect(shown.stdout).not.toContain("very-secret-token");
      expect(JSON.parse(shown.stdout).notify.webhook["1"]).toMatchObject({ endpoint: second.url, authToken: "*redacted*" });
      expect(serverOutput).not.toContain("very-secret-token");
      await run(["cp", join(work, "myphoto.jpg"), "local/images/after-reconfigure.jpg"]);
      await second.waitFor((events) => events.length >= 1);
      expect(second.events[0]?.Key).toBe("images/after-reconfigure.jpg");
      expect(second.authorization[0]).toBe("Bearer very-secret-token");
    } finally {
      await second.close();
    }
  });

  it("fails with one clear line and a non-zero exit", async () => {
    const missing = await run(["event", "list", "nosuch/images"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe("s3notify: unknown alias 'nosuch' (add it with: s3notify alias set nosuch URL ACCESS_KEY SECRET_KEY)\n");
    const noBucket = await run(["event", "list", "local/missing-bucket"]);
    expect([noBucket.code, noBucket.stderr]).toEqual([1, "s3notify: NoSuchBucket: The specified bucket does not exist\n"]);
    const help = await run(["event", "add", "--help"]);
    expect(help.stdout).toContain("--suffix <SUFFIX>");
  });

  it("stops gracefully on SIGTERM", async () => {
    server.kill("SIGTERM");
    const code = await new Promise((resolve) => server.once("exit", resolve));
    expect(code).toBe(0);
    expect(serverOutput).toContain('"msg":"stopped"');
  });
});
