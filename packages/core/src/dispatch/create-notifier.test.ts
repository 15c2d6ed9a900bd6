import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { appendFile, mkdir, mkdtemp, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { type ChaosTarget, chaosTarget, type RecordingTarget, recordingTarget } from "../../../testkit/src/chaos-target.js";
import { defineTargetPlugin } from "../plugin/define-target-plugin.js";
import { sampleRecord } from "../store/sample-record.test-helper.js";
import type { EventInput, NotificationConfiguration, Notifier, NotifyConfig, TargetSettings } from "../types.js";
import { createNotifier } from "./create-notifier.js";

const repositoryRoot = fileURLToPath(new URL("../../../../", import.meta.url));
const coreEntry = pathToFileURL(fileURLToPath(new URL("../index.ts", import.meta.url))).href;

interface Probe {
  readonly inner: RecordingTarget;
  readonly chaos: ChaosTarget;
}

/** Every target the test plugin made, by `<ID>:test`, newest last. */
let made: Map<string, Probe[]>;
const cleanups: (() => Promise<unknown>)[] = [];

const testPlugin = defineTargetPlugin({
  type: "test",
  keys: [
    { name: "batch", default: "1", help: "batch size" },
    { name: "token", default: "", secret: true, help: "a secret" },
  ],
  parseConfig: (raw) => ({ batch: Number(raw.batch ?? "1") }),
  create(config, context) {
    const inner = recordingTarget(context.targetId, { maxBatchSize: config.batch });
    const chaos = chaosTarget(inner);
    const key = `${context.targetId.id}:${context.targetId.type}`;
    made.set(key, [...(made.get(key) ?? []), { inner, chaos }]);
    return chaos;
  },
});

function latest(targetId: string): Probe {
  const probe = made.get(targetId)?.at(-1);
  if (!probe) throw new Error(`no target ${targetId}`);
  return probe;
}

function target(id: string, values: Record<string, string> = {}): TargetSettings {
  const merged = { enable: "on", queue_dir: "", queue_limit: "0", comment: "", batch: "1", ...values };
  return { type: "test", id, enabled: merged.enable === "on", values: merged };
}

function rulesFor(...ids: string[]): NotificationConfiguration {
  return {
    queues: ids.map((id) => ({
      id: "",
      arn: { region: "", id, type: "test" },
      events: ["s3:ObjectCreated:*"],
      filterRules: [{ name: "suffix", value: ".jpg" }],
    })),
  };
}

const put = (key: string): EventInput => ({ eventName: "s3:ObjectCreated:Put", bucket: "photos", key, size: 1 });

async function start(config: NotifyConfig): Promise<Notifier> {
  const notifier = await createNotifier({ config, plugins: [testPlugin], retry: { initialDelayMs: 1, maxDelayMs: 5 } }, { closeTimeoutMs: 500 });
  cleanups.push(() => notifier.close());
  return notifier;
}

async function tempDir(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), "s3notify-notifier-"));
  cleanups.push(() => rm(directory, { recursive: true, force: true }));
  return directory;
}

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  made = new Map();
});
made = new Map();

describe("createNotifier", () => {
  it("routes a published event to every matching target, once, and reports ARNs and stats", async () => {
    const notifier = await start({ targets: [target("1"), target("2"), target("3", { enable: "off" })] });
    expect(notifier.arns()).toEqual(["arn:minio:sqs::1:test", "arn:minio:sqs::2:test"]);
    notifier.setBucketRules("photos", rulesFor("1", "2"));
    expect(notifier.match("photos", "s3:ObjectCreated:Put", "a.jpg").sort()).toEqual(["1:test", "2:test"]);

    const result = await notifier.publish(put("a b.jpg"));
    expect(result).toEqual({ accepted: ["1:test", "2:test"], refused: [] });
    expect(await notifier.publish(put("a.png"))).toEqual({ accepted: [], refused: [] });
    await latest("1:test").inner.waitFor(1);
    await latest("2:test").inner.waitFor(1);
    expect(latest("1:test").inner.records[0]?.s3.object.key).toBe("a+b.jpg");
    expect(await notifier.drain(5_000)).toBe(true);
    expect(notifier.stats().map((stats) => [stats.targetId, stats.sent, stats.queued])).toEqual([
      ["1:test", 1, 0],
      ["2:test", 1, 0],
    ]);
    expect(notifier.validationContext().targetExists({ id: "2", type: "test" })).toBe(true);
    expect(notifier.validationContext().targetExists({ id: "3", type: "test" })).toBe(false);
  });

  it("publish does not wait for a stalled target, and the other target keeps receiving", async () => {
    const notifier = await start({ targets: [target("1"), target("2")] });
    notifier.setBucketRules("photos", rulesFor("1", "2"));
    latest("1:test").chaos.stall();
    for (let index = 0; index < 20; index++) await notifier.publish(put(`k${index}.jpg`));
    await latest("2:test").inner.waitFor(20);
    expect(notifier.stats().find((stats) => stats.targetId === "1:test")?.queued).toBeGreaterThanOrEqual(19);
    latest("1:test").chaos.release();
    await latest("1:test").inner.waitFor(20);
  });

  it("appends once per queue_dir shared by several targets, and reports a full store per target", async () => {
    const directory = await tempDir();
    const notifier = await start({
      targets: [target("1", { queue_dir: directory, queue_limit: "2" }), target("2", { queue_dir: directory })],
    });
    notifier.setBucketRules("photos", rulesFor("1", "2"));
    latest("1:test").chaos.stall();
    latest("2:test").chaos.stall();
    const results = [];
    for (let index = 0; index < 4; index++) results.push(await notifier.publish(put(`k${index}.jpg`)));
    expect(results[3]?.refused).toEqual([{ targetId: "1:test", reason: "the maximum store limit reached" }]);
    expect(results[3]?.accepted).toEqual(["2:test"]);
    const stats = notifier.stats();
    expect(stats.find((entry) => entry.targetId === "1:test")?.dropped).toBe(2);
    latest("1:test").chaos.release();
    latest("2:test").chaos.release();
    expect(await notifier.drain(5_000)).toBe(true);
  });

  it("close keeps undelivered events in queue_dir and a new notifier on the same dir delivers them", async () => {
    const directory = await tempDir();
    const config = { targets: [target("1", { queue_dir: directory, batch: "4" })] };
    const first = await createNotifier({ config, plugins: [testPlugin] }, { closeTimeoutMs: 100 });
    first.setBucketRules("photos", rulesFor("1"));
    latest("1:test").chaos.failNext(1_000_000);
    for (let index = 0; index < 6; index++) await first.publish(put(`k${index}.jpg`));
    await first.close();
    expect(latest("1:test").inner.records).toHaveLength(0);
    await expect(first.publish(put("late.jpg"))).rejects.toThrow(/closed/);

    const second = await start(config);
    await latest("1:test").inner.waitFor(6);
    expect(latest("1:test").inner.records.map((record) => record.s3.object.key)).toEqual(Array.from({ length: 6 }, (_unused, index) => `k${index}.jpg`));
    expect(await second.drain(5_000)).toBe(true);
  });

  it("delivers the events a MinIO server left in queue_dir (minio-<type>-<ID>/*.event) before new ones, once", async () => {
    const directory = await tempDir();
    const folder = join(directory, "minio-test-1");
    await mkdir(folder);
    for (const [index, key] of ["left1.jpg", "left2.jpg"].entries()) {
      await writeFile(join(folder, `${index}.event`), JSON.stringify(sampleRecord(key)));
      await utimes(join(folder, `${index}.event`), 1_000 + index, 1_000 + index);
    }
    const config = { targets: [target("1", { queue_dir: directory })] };
    const notifier = await start(config);
    notifier.setBucketRules("photos", rulesFor("1"));
    await notifier.publish(put("new.jpg"));
    await latest("1:test").inner.waitFor(3);
    expect(latest("1:test").inner.records.map((record) => record.s3.object.key)).toEqual(["left1.jpg", "left2.jpg", "new.jpg"]);
    expect(existsSync(folder)).toBe(false);
    await notifier.close();

    // A restart does not import them again.
    const again = await start(config);
    expect(await again.drain(5_000)).toBe(true);
    expect(latest("1:test").inner.records).toHaveLength(0);
  });

  it("reconfigure keeps unchanged targets, replaces changed ones on the same queue, removes and adds", async () => {
    const directory = await tempDir();
    const notifier = await start({ targets: [target("1"), target("2", { queue_dir: directory }), target("3")] });
    notifier.setBucketRules("photos", rulesFor("1", "2", "3", "4"));
    const unchanged = latest("1:test");
    latest("2:test").chaos.stall();
    for (let index = 0; index < 3; index++) await notifier.publish(put(`k${index}.jpg`));
    await unchanged.inner.waitFor(3);

    const reconfiguring = notifier.reconfigure({ targets: [target("1"), target("2", { queue_dir: directory, batch: "10" }), target("4")] });
    // Published while the stalled old runner of 2 is being closed: still queued for 2, not lost.
    expect((await notifier.publish(put("k3.jpg"))).accepted).toContain("2:test");
    await reconfiguring;
    expect(latest("1:test")).toBe(unchanged);
    expect(made.get("2:test")).toHaveLength(2);
    expect(notifier.arns().sort()).toEqual(["arn:minio:sqs::1:test", "arn:minio:sqs::2:test", "arn:minio:sqs::4:test"]);
    await notifier.publish(put("k4.jpg"));
    await latest("2:test").inner.waitFor(5);
    expect(latest("2:test").inner.records.map((record) => record.s3.object.key)).toEqual(["k0.jpg", "k1.jpg", "k2.jpg", "k3.jpg", "k4.jpg"]);
    expect(await notifier.drain(5_000)).toBe(true);
    expect(notifier.stats().find((stats) => stats.targetId === "1:test")?.sent).toBe(5);
    expect(notifier.stats().find((stats) => stats.targetId === "2:test")?.sent).toBe(5);
    await latest("4:test").inner.waitFor(1);
    expect(made.get("3:test")?.[0]?.chaos.counts.closes).toBe(1);
    await expect(notifier.reconfigure({ targets: [target("1", { batch: "x" }), { ...target("5"), type: "nope" }] })).rejects.toThrow(/nope/);
    expect(notifier.arns()).toHaveLength(3);
    made.get("2:test")?.[0]?.chaos.release();
  });

  it("keeps the target's secret values out of stats and dead letters", async () => {
    const notifier = await start({ targets: [target("1", { token: "s3cr3t-t0ken" })] });
    notifier.setBucketRules("photos", rulesFor("1"));
    latest("1:test").chaos.failNext(1, { retryable: false, message: "401 for Bearer s3cr3t-t0ken at http://user:pa55@host/" });
    await notifier.publish(put("a.jpg"));
    expect(await notifier.drain(5_000)).toBe(true);
    const [stats] = notifier.stats();
    expect(stats?.deadLettered).toBe(1);
    expect(stats?.lastError).toContain("*redacted*");
    expect(JSON.stringify(notifier.stats())).not.toMatch(/s3cr3t-t0ken|pa55/);
  });

  it("refuses to start when a queue_dir cannot be created, with MinIO's message", async () => {
    const directory = await tempDir();
    const file = join(directory, "not-a-folder");
    await writeFile(file, "");
    await expect(createNotifier({ config: { targets: [target("1", { queue_dir: join(file, "queue") })] }, plugins: [testPlugin] })).rejects.toMatchObject({
      code: "S3NOTIFY_ERR_STORE_INIT",
      message: expect.stringMatching(/^unable to initialize the queue store of Test `1`: /),
    });
  });

  it("a host killed mid-stream (SIGKILL) loses no published event: a new notifier on the same queue_dir delivers them, in order", async () => {
    const directory = await tempDir();
    const queueDir = join(directory, "queue");
    const output = join(directory, "delivered.txt");
    const script = join(directory, "host.mjs");
    const filePlugin = `defineTargetPlugin({
  type: "file",
  keys: [{ name: "path", default: "", help: "output file" }],
  parseConfig: (raw) => ({ path: raw.path }),
  create: (config, context) => ({
    id: context.targetId,
    capabilities: { maxBatchSize: 8, ordered: true },
    async open() {},
    async isActive() { return true; },
    async close() {},
    async send(batch) { appendFileSync(config.path, batch.map((record) => record.s3.object.key + "\\n").join("")); },
  }),
})`;
    const config = {
      targets: [{ type: "file", id: "1", enabled: true, values: { enable: "on", queue_dir: queueDir, queue_limit: "0", comment: "", path: output } }],
    };
    const rules = { queues: [{ id: "", arn: { region: "", id: "1", type: "file" }, events: ["s3:ObjectCreated:*"], filterRules: [] }] };
    await writeFile(
      script,
      `import { appendFileSync } from "node:fs";
import { createNotifier, defineTargetPlugin } from ${JSON.stringify(coreEntry)};
const notifier = await createNotifier({ config: ${JSON.stringify(config)}, plugins: [${filePlugin}] });
notifier.setBucketRules("b", ${JSON.stringify(rules)});
let next = 0;
async function publisher() {
  for (;;) {
    const key = "k" + next++;
    await notifier.publish({ eventName: "s3:ObjectCreated:Put", bucket: "b", key });
    process.stdout.write(key + "\\n");
  }
}
for (let index = 0; index < 4; index++) void publisher();
`,
    );
    const child = spawn(process.execPath, ["--import", "tsx", script], {
      cwd: repositoryRoot,
      env: { ...process.env, TSX_TSCONFIG_PATH: join(repositoryRoot, "packages/core/tsconfig.json") },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
    const printed: string[] = [];
    const lines = createInterface({ input: child.stdout });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the host printed ${printed.length} lines; stderr: ${stderr}`)), 25_000);
      lines.on("line", (line) => {
        printed.push(line);
        if (printed.length === 300) {
          child.kill("SIGKILL");
          clearTimeout(timer);
          resolve();
        }
      });
    });
    await exited;
    lines.close();

    const plugin = defineTargetPlugin({
      type: "file",
      keys: [{ name: "path", default: "", help: "output file" }],
      parseConfig: (raw) => ({ path: raw.path ?? "" }),
      create: (parsed, context) => ({
        id: context.targetId,
        capabilities: { maxBatchSize: 8, ordered: true },
        async open() {},
        async isActive() {
          return true;
        },
        async close() {},
        async send(batch) {
          await appendFile(parsed.path, batch.map((record) => `${record.s3.object.key}\n`).join(""));
        },
      }),
    });
    const notifier = await createNotifier({ config: config as NotifyConfig, plugins: [plugin] }, { closeTimeoutMs: 500 });
    cleanups.push(() => notifier.close());
    expect(await notifier.drain(20_000)).toBe(true);
    const delivered = (await readFile(output, "utf8")).split("\n").filter(Boolean);
    const firsts = [...new Set(delivered)];
    for (const key of printed) expect(firsts, key).toContain(key);
    const numbers = firsts.map((key) => Number(key.slice(1)));
    expect(numbers).toEqual([...numbers].sort((left, right) => left - right));
  });

  it("accepts a ready-made EventRecord and matches it on its decoded key", async () => {
    const notifier = await start({ targets: [target("1")] });
    notifier.setBucketRules("photos", rulesFor("1"));
    const record = sampleRecord("my+photo.jpg");
    expect((await notifier.publish(record)).accepted).toEqual(["1:test"]);
    await latest("1:test").inner.waitFor(1);
    expect(latest("1:test").inner.records[0]).toBe(record);
  });
});
