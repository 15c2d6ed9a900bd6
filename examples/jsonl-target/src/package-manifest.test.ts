import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import jsonlTargetPlugin from "./index.js";

interface PackageJson {
  name: string;
  private?: boolean;
  exports: Record<string, unknown>;
  s3notify: { kind: string; type: string; apiVersion: number };
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as PackageJson;

// What a host's discovery relies on (docs/writing-a-target.md §1), checked the way an outside author would.
describe("package.json of a third-party target", () => {
  it("carries the s3notify manifest matching the plugin", () => {
    expect(manifest.s3notify).toEqual({ kind: "target", type: jsonlTargetPlugin.type, apiVersion: jsonlTargetPlugin.apiVersion });
  });

  it("exports types, import and default conditions, and ./package.json", () => {
    expect(manifest.exports["."]).toEqual({ types: "./dist/index.d.ts", import: "./dist/index.js", default: "./dist/index.js" });
    expect(manifest.exports["./package.json"]).toBe("./package.json");
  });

  it("takes core as a peer dependency, never as a dependency, and is never published", () => {
    expect(manifest.peerDependencies?.["@s3notify/core"]).toBeDefined();
    expect(manifest.dependencies?.["@s3notify/core"]).toBeUndefined();
    expect(manifest.devDependencies?.["@s3notify/core"]).toBe("workspace:*");
    expect(manifest.private).toBe(true);
  });
});
