import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createNotifier, type LogEnvelope, type Notifier } from "@s3notify/core";
import { fullTargetValues } from "@s3notify/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { HttpRecorder } from "./http-recorder.fixture.js";
import webhookTargetPlugin from "./index.js";

describe("webhook through core's notifier", () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setUp(recorder: HttpRecorder): Promise<Notifier> {
    const queueDir = await mkdtemp(join(tmpdir(), "s3notify-webhook-queue-"));
    cleanups.push(() => rm(queueDir, { recursive: true, force: true }));
    const notifier = await createNotifier({
      plugins: [webhookTargetPlugin],
      retry: { initialDelayMs: 20, maxDelayMs: 200 },
      config: {
        targets: [
          {
            type: "webhook",
            id: "1",
            enabled: true,
            values: fullTargetValues(webhookTargetPlugin, { enable: "on", endpoint: recorder.url, queue_dir: queueDir }),
          },
        ],
      },
    });
    cleanups.push(() => notifier.close());
    notifier.setBucketRules("photos", {
      queues: [{ id: "", arn: { region: "", id: "1", type: "webhook" }, events: ["s3:ObjectCreated:*"], filterRules: [] }],
    });
    return notifier;
  }

  it("an endpoint answering 500 for a while loses nothing with queue_dir, and keeps the order", async () => {
    const recorder = new HttpRecorder();
    await recorder.start();
    cleanups.push(() => recorder.stop());
    let failures = 0;
    recorder.responder = () => (failures++ < 8 ? 500 : 200);
    const notifier = await setUp(recorder);

    const keys = Array.from({ length: 25 }, (_, index) => `img-${String(index).padStart(2, "0")}.jpg`);
    for (const key of keys) await notifier.publish({ eventName: "s3:ObjectCreated:Put", bucket: "photos", key, size: 10 });

    await recorder.waitFor(() => new Set(recorder.accepted.map((request) => request.body.toString())).size >= keys.length, 20_000, "all 25 events");
    const order: string[] = [];
    for (const request of recorder.accepted) {
      const key = (JSON.parse(request.body.toString()) as LogEnvelope).Key;
      if (!order.includes(key)) order.push(key);
    }
    expect(order).toEqual(keys.map((key) => `photos/${key}`));
    expect(failures).toBeGreaterThanOrEqual(8);
    const stats = notifier.stats().find((entry) => entry.targetId === "1:webhook");
    expect(stats?.failed).toBeGreaterThan(0);
    expect(stats?.deadLettered).toBe(0);
  });

  it("a 413 becomes a dead letter and the events after it still arrive", async () => {
    const recorder = new HttpRecorder();
    await recorder.start();
    cleanups.push(() => recorder.stop());
    recorder.responder = (request) => (request.body.toString().includes("too-big") ? 413 : 200);
    const notifier = await setUp(recorder);
    for (const key of ["a.jpg", "too-big.jpg", "b.jpg"]) await notifier.publish({ eventName: "s3:ObjectCreated:Put", bucket: "photos", key, size: 10 });
    await recorder.waitFor(() => recorder.accepted.length >= 2, 20_000, "a.jpg and b.jpg");
    expect(recorder.accepted.map((request) => (JSON.parse(request.body.toString()) as LogEnvelope).Key)).toEqual(["photos/a.jpg", "photos/b.jpg"]);
    await expect.poll(() => notifier.stats().find((entry) => entry.targetId === "1:webhook")?.deadLettered, { timeout: 10_000 }).toBe(1);
  });
});
