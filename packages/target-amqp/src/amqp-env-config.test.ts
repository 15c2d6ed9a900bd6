import { createTargetRegistry, loadNotifyConfig } from "@s3notify/core";
import { describe, expect, it } from "vitest";
import amqpTarget from "./index.js";

describe("amqp keys through core's MINIO_NOTIFY_AMQP_* environment loader", () => {
  it("reads MinIO's irregular PUBLISHING_CONFIRMS name and parses the result", () => {
    const registry = createTargetRegistry();
    registry.register(amqpTarget);
    const config = loadNotifyConfig({
      registry,
      env: {
        MINIO_NOTIFY_AMQP_ENABLE_1: "on",
        MINIO_NOTIFY_AMQP_URL_1: "amqp://user:pw@127.0.0.1:5672/vhost",
        MINIO_NOTIFY_AMQP_EXCHANGE_1: "events",
        MINIO_NOTIFY_AMQP_EXCHANGE_TYPE_1: "topic",
        MINIO_NOTIFY_AMQP_PUBLISHING_CONFIRMS_1: "on",
        MINIO_NOTIFY_AMQP_DELIVERY_MODE_1: "2",
      },
    });
    const target = config.targets.find((entry) => entry.type === "amqp" && entry.id === "1");
    expect(target?.values.publisher_confirms).toBe("on");
    const parsed = amqpTarget.parseConfig(target?.values ?? {}, { targetId: "1", subsystem: "notify_amqp" });
    expect(parsed).toMatchObject({
      publisherConfirms: true,
      exchange: "events",
      exchangeType: "topic",
      deliveryMode: 2,
      redactedUrl: "amqp://user:***@127.0.0.1:5672/vhost",
    });
  });
});
