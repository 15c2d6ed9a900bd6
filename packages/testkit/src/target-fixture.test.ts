import { ConfigError, defineTargetPlugin, type Logger, type Target, type TargetContext } from "@s3notify/core";
import { describe, expect, it } from "vitest";
import { eventually, targetFixture } from "./target-fixture.js";

interface EchoConfig {
  readonly endpoint: string;
  readonly retries: number;
}

class EchoTarget implements Target {
  readonly id: TargetContext["targetId"];
  readonly capabilities = { maxBatchSize: 1, ordered: true };
  constructor(
    readonly config: EchoConfig,
    readonly logger: Logger,
    context: TargetContext,
  ) {
    this.id = context.targetId;
  }
  async open(): Promise<void> {}
  async send(): Promise<void> {}
  async isActive(): Promise<boolean> {
    return true;
  }
  async close(): Promise<void> {}
}

const echoPlugin = defineTargetPlugin<EchoConfig>({
  type: "echo",
  arnType: "echoarn",
  keys: [
    { name: "endpoint", default: "", required: true, help: "URL" },
    { name: "retries", default: "3", help: "How many times to retry" },
  ],
  parseConfig: (raw, context) => {
    if (!raw.endpoint) throw new ConfigError({ subsystem: context.subsystem, targetId: context.targetId, key: "endpoint" }, "required");
    return { endpoint: raw.endpoint, retries: Number(raw.retries) };
  },
  create: (config, context) => new EchoTarget(config, context.logger, context),
});

const fixture = targetFixture(echoPlugin);

describe("targetFixture", () => {
  it("fills every key with its default, common keys included", () => {
    expect(fixture.rawConfig({})).toMatchObject({ endpoint: "", retries: "3", enable: expect.any(String), queue_dir: expect.any(String) });
  });

  it("applies overrides over the defaults", () => {
    expect(fixture.rawConfig({ retries: "7", extra: "x" })).toMatchObject({ retries: "7", extra: "x", endpoint: "" });
    expect(fixture.parse({ endpoint: "http://a", retries: "5" })).toEqual({ endpoint: "http://a", retries: 5 });
  });

  it("surfaces parse errors, naming subsystem notify_<type> and the target id", () => {
    let thrown: unknown;
    try {
      fixture.parse({}, "7");
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect(thrown).toMatchObject({ subsystem: "notify_echo", targetId: "7", key: "endpoint" });
    expect(() => fixture.create({})).toThrow(ConfigError);
  });

  it("creates the target with the plugin's arnType and a silent logger by default", () => {
    const target = fixture.create<EchoTarget>({ endpoint: "http://a" });
    expect(target).toBeInstanceOf(EchoTarget);
    expect(target.id).toEqual({ id: "1", type: "echoarn" });
    expect(target.config).toEqual({ endpoint: "http://a", retries: 3 });
    const named = fixture.create<EchoTarget>({ endpoint: "http://a" }, "2");
    expect(named.id).toEqual({ id: "2", type: "echoarn" });
  });

  it("passes a given logger through", () => {
    const logger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
    expect(fixture.create<EchoTarget>({ endpoint: "http://a" }, "1", { logger }).logger).toBe(logger);
  });
});

describe("eventually", () => {
  it("resolves once the condition holds, counting a thrown error as false", async () => {
    let calls = 0;
    await eventually(
      () => {
        calls += 1;
        if (calls === 1) throw new Error("not yet");
        return calls >= 3;
      },
      { intervalMs: 1 },
    );
    expect(calls).toBe(3);
  });

  it("accepts an async check", async () => {
    let calls = 0;
    await eventually(async () => ++calls === 2, { intervalMs: 1 });
    expect(calls).toBe(2);
  });

  it("throws when the condition is not met in time", async () => {
    await expect(eventually(async () => false, { timeoutMs: 30, intervalMs: 5 })).rejects.toThrow("condition not met within 30 ms");
    await expect(
      eventually(
        () => {
          throw new Error("boom");
        },
        { timeoutMs: 20, intervalMs: 5 },
      ),
    ).rejects.toThrow("condition not met within 20 ms");
  });
});
