import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { discoverTargetPlugins } from "./discover-target-plugins.js";

let hostDir: string;
beforeEach(() => {
  hostDir = mkdtempSync(join(tmpdir(), "s3notify-discovery-"));
});
afterEach(() => {
  rmSync(hostDir, { recursive: true, force: true });
});

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

function writeHost(dependencies: Record<string, string>, optionalDependencies: Record<string, string> = {}): void {
  write(join(hostDir, "package.json"), JSON.stringify({ name: "host-app", private: true, dependencies, optionalDependencies }));
}

/** A third-party plugin package, branded by hand: no import of core. */
function writePluginPackage(
  name: string,
  options: { manifest?: unknown; pluginType?: string; arnType?: string; apiVersion?: number; exports?: unknown; body?: string } = {},
): void {
  const folder = join(hostDir, "node_modules", ...name.split("/"));
  const manifestType = "x";
  write(
    join(folder, "package.json"),
    JSON.stringify({
      name,
      version: "1.0.0",
      type: "module",
      main: "index.js",
      ...(options.exports !== undefined ? { exports: options.exports } : {}),
      ...(options.manifest === null ? {} : { s3notify: options.manifest ?? { kind: "target", type: manifestType, apiVersion: 1 } }),
    }),
  );
  const type = options.pluginType ?? manifestType;
  write(
    join(folder, "index.js"),
    options.body ??
      `export default Object.freeze({
  [Symbol.for("s3notify.core.TargetPlugin")]: true,
  apiVersion: ${options.apiVersion ?? 1},
  type: ${JSON.stringify(type)},
  arnType: ${JSON.stringify(options.arnType ?? type)},
  keys: [{ name: "endpoint", default: "", required: true, help: "URL" }],
  parseConfig(raw) { return { endpoint: raw.endpoint }; },
  create() { throw new Error("not used"); },
});\n`,
  );
}

describe("discoverTargetPlugins", () => {
  it("loads a branded third-party plugin from the host's dependencies", async () => {
    writeHost({ "@acme/target-x": "^1.0.0", "left-pad": "^1.0.0" });
    writePluginPackage("@acme/target-x");
    writePluginPackage("left-pad", { manifest: null, body: "export default function leftPad() {}\n" });
    const found = await discoverTargetPlugins(hostDir);
    expect(found.map((entry) => entry.source)).toEqual(["@acme/target-x"]);
    expect(found[0]?.plugin.type).toBe("x");
    expect(found[0]?.plugin.parseConfig({ endpoint: "http://e" }, { targetId: "_", subsystem: "notify_x" })).toEqual({ endpoint: "http://e" });
  });

  it("ignores packages in node_modules that are not the host's dependencies, and absent optional ones", async () => {
    writeHost({}, { "@acme/missing": "^1.0.0" });
    writePluginPackage("@acme/target-x");
    expect(await discoverTargetPlugins(hostDir)).toEqual([]);
  });

  it("reads optionalDependencies and packages whose exports hide package.json", async () => {
    writeHost({}, { "@acme/target-x": "^1.0.0" });
    writePluginPackage("@acme/target-x", { exports: { ".": { default: "./index.js" } } });
    const found = await discoverTargetPlugins(hostDir);
    expect(found.map((entry) => entry.plugin.type)).toEqual(["x"]);
  });

  it("refuses a plugin whose type differs from its manifest", async () => {
    writeHost({ "@acme/target-x": "1.0.0" });
    writePluginPackage("@acme/target-x", { pluginType: "y" });
    await expect(discoverTargetPlugins(hostDir)).rejects.toMatchObject({
      code: "S3NOTIFY_ERR_PLUGIN_TYPE_MISMATCH",
      message: expect.stringMatching(/@acme\/target-x.*"x".*"y"/),
    });
  });

  it("refuses a manifest apiVersion core cannot serve, naming the package, its version and the supported ones", async () => {
    writeHost({ "@acme/target-x": "1.0.0" });
    writePluginPackage("@acme/target-x", { manifest: { kind: "target", type: "x", apiVersion: 2 }, apiVersion: 2 });
    await expect(discoverTargetPlugins(hostDir)).rejects.toMatchObject({
      code: "S3NOTIFY_ERR_PLUGIN_API_VERSION",
      message: expect.stringMatching(/@acme\/target-x.*apiVersion 2.*supports apiVersion 1/),
    });
  });

  it("refuses a plugin object whose apiVersion differs from what core serves", async () => {
    writeHost({ "@acme/target-x": "1.0.0" });
    writePluginPackage("@acme/target-x", { apiVersion: 9 });
    await expect(discoverTargetPlugins(hostDir)).rejects.toMatchObject({ code: "S3NOTIFY_ERR_PLUGIN_API_VERSION" });
  });

  it("refuses an unbranded default export", async () => {
    writeHost({ "@acme/target-x": "1.0.0" });
    writePluginPackage("@acme/target-x", { body: 'export default { type: "x", apiVersion: 1 };\n' });
    await expect(discoverTargetPlugins(hostDir)).rejects.toMatchObject({
      code: "S3NOTIFY_ERR_PLUGIN_INVALID",
      message: expect.stringContaining("@acme/target-x"),
    });
  });

  it("refuses two packages claiming one type, naming both", async () => {
    writeHost({ "@acme/target-x": "1.0.0", "@other/x-target": "1.0.0" });
    writePluginPackage("@acme/target-x");
    writePluginPackage("@other/x-target");
    await expect(discoverTargetPlugins(hostDir)).rejects.toMatchObject({
      code: "S3NOTIFY_ERR_PLUGIN_DUPLICATE",
      message: expect.stringMatching(/@acme\/target-x and @other\/x-target/),
    });
  });

  it("refuses a package whose exports only has an import condition", async () => {
    writeHost({ "@acme/target-x": "1.0.0" });
    writePluginPackage("@acme/target-x", { exports: { ".": { import: "./index.js" }, "./package.json": "./package.json" } });
    await expect(discoverTargetPlugins(hostDir)).rejects.toMatchObject({
      code: "S3NOTIFY_ERR_PLUGIN_LOAD",
      message: expect.stringContaining('"default" condition'),
    });
  });

  it("loads CommonJS plugins, plain and compiled from ESM", async () => {
    writeHost({ "cjs-plain": "1.0.0", "cjs-compiled": "1.0.0" });
    const plugin = (type: string) =>
      `{ [Symbol.for("s3notify.core.TargetPlugin")]: true, apiVersion: 1, type: "${type}", arnType: "${type}", keys: [], parseConfig: (raw) => raw, create() { throw new Error("unused"); } }`;
    for (const [name, type, body] of [
      ["cjs-plain", "plain", `module.exports = ${plugin("plain")};\n`],
      ["cjs-compiled", "compiled", `Object.defineProperty(exports, "__esModule", { value: true });\nexports.default = ${plugin("compiled")};\n`],
    ] as const) {
      const folder = join(hostDir, "node_modules", name);
      write(join(folder, "package.json"), JSON.stringify({ name, main: "index.js", s3notify: { kind: "target", type, apiVersion: 1 } }));
      write(join(folder, "index.js"), body);
    }
    const found = await discoverTargetPlugins(hostDir);
    expect(found.map((entry) => [entry.source, entry.plugin.type])).toEqual([
      ["cjs-compiled", "compiled"],
      ["cjs-plain", "plain"],
    ]);
  });

  it("fails clearly when the host has no package.json", async () => {
    await expect(discoverTargetPlugins(join(hostDir, "nowhere"))).rejects.toMatchObject({ code: "S3NOTIFY_ERR_PLUGIN_LOAD" });
  });
});
