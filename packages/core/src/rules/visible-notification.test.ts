import { describe, expect, it } from "vitest";
import type { QueueConfiguration } from "../types.js";
import { visibleNotification } from "./visible-notification.js";

function entry(id: string, type: string, region = ""): QueueConfiguration {
  return { id: `${id}-${type}`, arn: { region, id, type }, events: ["s3:ObjectCreated:*"], filterRules: [] };
}

describe("visibleNotification", () => {
  it("rewrites regions and hides the first missing target's entries only", () => {
    const live = new Set(["1:webhook"]);
    const context = { region: "us-east-1", targetExists: (target: { id: string; type: string }) => live.has(`${target.id}:${target.type}`) };
    const shown = visibleNotification({ queues: [entry("1", "webhook", "old"), entry("2", "amqp"), entry("2", "amqp"), entry("3", "kafka")] }, context);
    expect(shown.queues.map((queue) => queue.id)).toEqual(["1-webhook", "3-kafka"]);
    expect(shown.queues[0]?.arn.region).toBe("us-east-1");
  });

  it("keeps everything when all targets exist", () => {
    const shown = visibleNotification({ queues: [entry("1", "webhook")] }, { region: "", targetExists: () => true });
    expect(shown.queues).toHaveLength(1);
  });
});
