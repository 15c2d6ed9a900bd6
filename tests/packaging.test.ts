import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = new URL("..", import.meta.url).pathname;

/** The Usage script of core's README, between its markers. */
function readmeScript(): string {
  const readme = readFileSync(join(root, "packages/core/README.md"), "utf8");
  const block = /<!-- readme-script:start -->\s*```js\n([\s\S]*?)```\s*<!-- readme-script:end -->/.exec(readme);
  if (!block?.[1]) throw new Error("packages/core/README.md has no readme-script block");
  return block[1];
}

describe("npm pack of core and target-webhook", () => {
  let folder: string;
  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), "s3notify-pack-"));
    for (const name of ["core", "target-webhook"]) {
      await run("npm", ["pack", "--silent", "--pack-destination", folder], { cwd: join(root, "packages", name) });
    }
    writeFileSync(join(folder, "package.json"), JSON.stringify({ name: "empty-host", private: true, type: "module" }));
    const tarballs = readdirSync(folder).filter((file) => file.endsWith(".tgz"));
    expect(tarballs).toHaveLength(2);
    await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", ...tarballs.map((file) => `./${file}`)], { cwd: folder, timeout: 180_000 });
  }, 240_000);
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it("ships only dist, README and package.json", async () => {
    const { stdout } = await run("npm", ["pack", "--dry-run", "--json"], { cwd: join(root, "packages/core") });
    const files = (JSON.parse(stdout) as [{ files: { path: string }[] }])[0].files.map((file) => file.path);
    expect(files).toContain("dist/index.js");
    expect(files.filter((file) => !file.startsWith("dist/") && file !== "README.md" && file !== "package.json")).toEqual([]);
    expect(files.some((file) => file.includes(".test."))).toBe(false);
  });

  it("runs the README's script in an empty folder and the webhook receives MinIO's event", async () => {
    const bodies: { body: string; request: IncomingMessage }[] = [];
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        bodies.push({ body: Buffer.concat(chunks).toString("utf8"), request });
        response.end();
      });
    });
    server.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    try {
      writeFileSync(join(folder, "notify.mjs"), readmeScript());
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
      const { stdout } = await run(process.execPath, ["notify.mjs"], {
        cwd: folder,
        env: { PATH: process.env.PATH, MINIO_NOTIFY_WEBHOOK_ENABLE_1: "on", MINIO_NOTIFY_WEBHOOK_ENDPOINT_1: endpoint },
        timeout: 30_000,
      });
      expect(stdout).toContain("SQS ARNs: arn:minio:sqs::1:webhook");
      expect(bodies).toHaveLength(1);
      const envelope = JSON.parse(bodies[0]?.body ?? "{}");
      expect(envelope.EventName).toBe("s3:ObjectCreated:Put");
      expect(envelope.Key).toBe("images/myphoto.jpg");
      expect(envelope.Records[0].s3.object).toMatchObject({ key: "myphoto.jpg", size: 2048, eTag: "d41d8cd98f00b204e9800998ecf8427e" });
      expect(bodies[0]?.request.headers["content-type"]).toBe("application/json");
    } finally {
      server.close();
    }
  });
});

describe("release plan of the workspace", () => {
  const version = (text: string): number[] => text.split(".").map(Number);
  const atMost = (left: number[], right: number[]): boolean => {
    for (let index = 0; index < 3; index++) if ((left[index] ?? 0) !== (right[index] ?? 0)) return (left[index] ?? 0) < (right[index] ?? 0);
    return true;
  };

  it("every package built on core takes it as a peer across the 0.x line, from a version the workspace has", () => {
    const core = (JSON.parse(readFileSync(join(root, "packages/core/package.json"), "utf8")) as { version: string }).version;
    const folders = ["packages", "examples"].flatMap((parent) => readdirSync(join(root, parent)).map((name) => join(root, parent, name, "package.json")));
    const ranges = folders
      .map((file) => {
        try {
          return JSON.parse(readFileSync(file, "utf8")) as { name: string; peerDependencies?: Record<string, string> };
        } catch {
          return undefined;
        }
      })
      .flatMap((manifest) => (manifest?.peerDependencies?.["@s3notify/core"] ? [[manifest.name, manifest.peerDependencies["@s3notify/core"]] as const] : []));
    expect(ranges.length).toBeGreaterThanOrEqual(11);
    for (const [name, range] of ranges) {
      const floor = /^>=(\d+\.\d+\.\d+) <1\.0\.0$/.exec(range)?.[1];
      expect(floor, `${name} peers @s3notify/core as "${range}"`).toBeDefined();
      expect(atMost(version(floor as string), version(core)), `${name}: its floor ${floor} is above core ${core}`).toBe(true);
    }
  });

  it("changesets plans no major bump (a minor core release must not push the targets to 1.0.0)", async () => {
    const output = join(mkdtempSync(join(tmpdir(), "s3notify-changesets-")), "status.json");
    try {
      await run("npx", ["changeset", "status", `--output=${output}`], { cwd: root, timeout: 60_000 });
      const plan = JSON.parse(readFileSync(output, "utf8")) as { releases: { name: string; type: string }[] };
      expect(plan.releases.filter((release) => release.type === "major")).toEqual([]);
    } finally {
      rmSync(join(output, ".."), { recursive: true, force: true });
    }
  });
});
