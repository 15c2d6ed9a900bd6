import { describe, expect, it } from "vitest";
import { S3NotifyError } from "../errors/s3notify-error.js";
import { createTargetRegistry } from "./target-registry.js";
import { fakePlugin } from "./test-plugin.fixture.js";

function thrown(action: () => unknown): S3NotifyError {
  try {
    action();
  } catch (error) {
    if (S3NotifyError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a throw");
}

describe("createTargetRegistry", () => {
  it("registers and finds plugins by type and by ARN type", () => {
    const registry = createTargetRegistry();
    const postgres = fakePlugin("postgres", { arnType: "postgresql" });
    registry.register(postgres, "@s3notify/target-postgres");
    registry.register(fakePlugin("webhook"));
    expect(registry.get("postgres")).toEqual({ plugin: postgres, source: "@s3notify/target-postgres" });
    expect(registry.getByArnType("postgresql")?.plugin).toBe(postgres);
    expect(registry.getByArnType("postgres")).toBeUndefined();
    expect(registry.get("webhook")?.source).toBe("explicit");
    expect(registry.list().map((entry) => entry.plugin.type)).toEqual(["postgres", "webhook"]);
  });

  it("refuses a value that is not a plugin", () => {
    const error = thrown(() => createTargetRegistry().register({ type: "webhook" } as never, "some-package"));
    expect(error.code).toBe("S3NOTIFY_ERR_PLUGIN_INVALID");
    expect(error.message).toContain("some-package");
  });

  it("refuses an apiVersion core cannot serve, naming source, version and the supported ones", () => {
    const error = thrown(() => createTargetRegistry().register(fakePlugin("webhook", { apiVersion: 7 }), "@acme/target-webhook"));
    expect(error.code).toBe("S3NOTIFY_ERR_PLUGIN_API_VERSION");
    expect(error.message).toContain("@acme/target-webhook");
    expect(error.message).toContain("apiVersion 7");
    expect(error.message).toContain("supports apiVersion 1");
  });

  it("refuses two plugins for one type, naming both sources", () => {
    const registry = createTargetRegistry();
    registry.register(fakePlugin("kafka"), "@s3notify/target-kafka");
    const error = thrown(() => registry.register(fakePlugin("kafka"), "@acme/kafka"));
    expect(error.code).toBe("S3NOTIFY_ERR_PLUGIN_DUPLICATE");
    expect(error.message).toContain("@s3notify/target-kafka");
    expect(error.message).toContain("@acme/kafka");
  });

  it("refuses two plugins for one ARN type", () => {
    const registry = createTargetRegistry();
    registry.register(fakePlugin("postgres", { arnType: "postgresql" }), "a");
    const error = thrown(() => registry.register(fakePlugin("postgresql"), "b"));
    expect(error.code).toBe("S3NOTIFY_ERR_PLUGIN_DUPLICATE");
    expect(error.message).toMatch(/a .*and b/);
  });

  it("accepts the same plugin object twice", () => {
    const registry = createTargetRegistry();
    const plugin = fakePlugin("nsq");
    registry.register(plugin, "x");
    registry.register(plugin, "y");
    expect(registry.list()).toHaveLength(1);
  });
});
