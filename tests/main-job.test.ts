import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { freePort } from "@s3notify/testkit";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = new URL("..", import.meta.url).pathname;

/** Resolves with the output once `pattern` shows up in it; fails when the process exits or the deadline passes. */
function waitForOutput(child: ChildProcess, output: { text: string }, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (pattern.test(output.text)) {
        cleanup();
        resolve(output.text);
      }
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`npm start exited (${code}) before ${pattern}:\n${output.text}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${output.text}`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout?.off("data", check);
      child.stderr?.off("data", check);
      child.off("exit", onExit);
    };
    child.stdout?.on("data", check);
    child.stderr?.on("data", check);
    child.once("exit", onExit);
    check();
  });
}

// The README's main job, as a user runs it: `npm start`, then an upload from a second terminal.
describe("npm start (the demo)", () => {
  const folder = mkdtempSync(join(tmpdir(), "s3notify-demo-"));
  let child: ChildProcess | undefined;
  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child?.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(folder, { recursive: true, force: true });
  });

  it("serves the demo and the thumbnailer writes a thumbnail for an uploaded JPEG", async () => {
    const [port, thumbnailerPort] = [await freePort(), await freePort()];
    const env = {
      ...process.env,
      S3NOTIFY_PORT: String(port),
      THUMBNAILER_PORT: String(thumbnailerPort),
      // Relative, like the default ./data: the script must hand the server an absolute queue_dir.
      S3NOTIFY_DATA_DIR: relative(root, join(folder, "data")),
      S3NOTIFY_CONFIG_DIR: join(folder, "config"),
    };
    const output = { text: "" };
    child = spawn("bash", ["scripts/start.sh"], { cwd: root, env, detached: false });
    child.stdout?.on("data", (chunk: Buffer) => {
      output.text += chunk.toString();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output.text += chunk.toString();
    });
    const ready = await waitForOutput(child, output, /Demo ready/, 120_000);
    expect(ready).toContain("SQS ARNs: arn:minio:sqs::1:webhook");
    await run(process.execPath, ["packages/server/dist/cli/main.js", "cp", "examples/thumbnailer/sample/myphoto.jpg", "demo/images/"], { cwd: root, env });
    const after = await waitForOutput(child, output, /thumbnail images-thumbnails\/myphoto\.jpg written, \d+x\d+/, 30_000);
    expect(after).toContain("[thumbnailer] event s3:ObjectCreated:Put images/myphoto.jpg");
    const exited = new Promise<number | null>((resolve) => child?.once("exit", resolve));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  }, 180_000);
});
