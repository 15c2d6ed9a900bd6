import "reflect-metadata";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { fakePlugin } from "../plugin/test-plugin.fixture.js";
import type { Logger } from "../types.js";
import { currentCoreInstance } from "./core-version.js";
import {
  createCoreContainer,
  installTargetPlugins,
  registerTargetPlugin,
  resolveLogger,
  resolveTargetPlugin,
  resolveTargetRegistry,
} from "./create-core-container.js";
import { CORE_INSTANCE_KEY, claimCoreInstance } from "./duplicate-core-guard.js";
import { CORE_TOKENS, targetPluginToken } from "./tokens.js";

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

describe("createCoreContainer", () => {
  it("gives each notifier its own registry and plugin tokens", () => {
    const first = createCoreContainer();
    const second = createCoreContainer();
    const webhook = fakePlugin("webhook");
    registerTargetPlugin(first, webhook);
    expect(resolveTargetRegistry(first).get("webhook")?.plugin).toBe(webhook);
    expect(first.resolve(targetPluginToken("webhook"))).toBe(webhook);
    expect(first.resolve(Symbol.for("s3notify.target.webhook"))).toBe(webhook);
    expect(resolveTargetPlugin(first, "webhook")).toBe(webhook);
    expect(resolveTargetRegistry(second).get("webhook")).toBeUndefined();
    expect(resolveTargetPlugin(second, "webhook")).toBeUndefined();
    expect(resolveTargetRegistry(first)).not.toBe(resolveTargetRegistry(second));
  });

  it("injects the host's logger through @inject tokens", () => {
    const lines: string[] = [];
    const logger: Logger = { debug: (m) => lines.push(m), info: () => {}, warn: () => {}, error: () => {} };
    const container = createCoreContainer({ logger });
    expect(resolveLogger(container)).toBe(logger);
    expect(container.resolve(CORE_TOKENS.Logger)).toBe(logger);
    registerTargetPlugin(container, fakePlugin("redis"), "@s3notify/target-redis");
    expect(lines).toEqual(["target plugin registered"]);
  });

  it("refuses a duplicate type through the container too", () => {
    const container = createCoreContainer();
    registerTargetPlugin(container, fakePlugin("mqtt"), "a");
    expect(() => registerTargetPlugin(container, fakePlugin("mqtt"), "b")).toThrow(/a and b/);
  });

  it("installs explicit plugins and discovered ones, counting a plugin found both ways once", async () => {
    const hostDir = mkdtempSync(join(tmpdir(), "s3notify-di-"));
    folders.push(hostDir);
    const packageDir = join(hostDir, "node_modules", "@acme", "target-x");
    mkdirSync(packageDir, { recursive: true });
    writeFileSync(join(hostDir, "package.json"), JSON.stringify({ name: "host", dependencies: { "@acme/target-x": "1.0.0" } }));
    writeFileSync(
      join(packageDir, "package.json"),
      JSON.stringify({ name: "@acme/target-x", type: "module", main: "index.js", s3notify: { kind: "target", type: "x", apiVersion: 1 } }),
    );
    writeFileSync(
      join(packageDir, "index.js"),
      `export default { [Symbol.for("s3notify.core.TargetPlugin")]: true, apiVersion: 1, type: "x", arnType: "x", keys: [],
        parseConfig: (raw) => raw, create: () => { throw new Error("unused"); } };\n`,
    );
    const container = createCoreContainer();
    const registered = await installTargetPlugins(container, { plugins: [fakePlugin("webhook")], discoverFrom: hostDir });
    expect(registered.map((entry) => [entry.plugin.type, entry.source])).toEqual([
      ["webhook", "explicit"],
      ["x", "@acme/target-x"],
    ]);
    const discovered = resolveTargetPlugin(container, "x");
    expect(discovered?.type).toBe("x");

    // The same module object given explicitly and found again by discovery is one plugin.
    const again = createCoreContainer();
    const both = await installTargetPlugins(again, { plugins: [discovered as never], discoverFrom: hostDir });
    expect(both.map((entry) => [entry.plugin.type, entry.source])).toEqual([["x", "explicit"]]);
    // A different object claiming the type is still refused, naming both sources.
    await expect(installTargetPlugins(createCoreContainer(), { plugins: [fakePlugin("x")], discoverFrom: hostDir })).rejects.toThrow(
      /explicit and @acme\/target-x/,
    );
  });
});

describe("claimCoreInstance", () => {
  it("accepts the same copy twice and refuses a second copy, naming both locations", () => {
    const globalObject = {};
    claimCoreInstance({ version: "0.1.0", url: "file:///app/node_modules/@s3notify/core/" }, globalObject);
    claimCoreInstance({ version: "0.1.0", url: "file:///app/node_modules/@s3notify/core/" }, globalObject);
    expect(() => claimCoreInstance({ version: "0.2.0", url: "file:///app/node_modules/target/node_modules/@s3notify/core/" }, globalObject)).toThrow(
      /0\.1\.0 from file:\/\/\/app\/node_modules\/@s3notify\/core\/.*0\.2\.0 from file:\/\/\/app\/node_modules\/target\/node_modules\/@s3notify\/core\//,
    );
    try {
      claimCoreInstance({ version: "0.1.0", url: "file:///elsewhere/" }, globalObject);
    } catch (error) {
      expect((error as { code: string }).code).toBe("S3NOTIFY_ERR_DUPLICATE_CORE");
    }
  });

  it("is claimed by loading core, with this package's version and folder", async () => {
    await import("../index.js");
    const claimed = (globalThis as Record<symbol, unknown>)[CORE_INSTANCE_KEY];
    expect(claimed).toEqual(currentCoreInstance());
    expect(currentCoreInstance().version).toMatch(/^\d+\.\d+\.\d+/);
    expect(currentCoreInstance().url).toMatch(/^file:\/\/.*\/packages\/core\/$/);
  });
});
