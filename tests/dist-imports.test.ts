import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = new URL("..", import.meta.url).pathname;
const packages = readdirSync(join(root, "packages")).filter((name) => existsSync(join(root, "packages", name, "package.json")));

// Vitest resolves CommonJS named imports that Node's own ESM loader refuses, so every built
// entry point is also loaded by plain Node, the way a host loads it.
describe("built packages load in plain Node", () => {
  for (const name of packages) {
    const manifest = JSON.parse(readFileSync(join(root, "packages", name, "package.json"), "utf8")) as { name: string; s3notify?: { type: string } };
    it(`${manifest.name} imports from dist${manifest.s3notify ? " and its default export is a branded plugin" : ""}`, async () => {
      const entry = join(root, "packages", name, "dist", "index.js");
      expect(existsSync(entry), `${entry} is missing: run pnpm build first`).toBe(true);
      const script = `
        const module = await import(${JSON.stringify(`file://${entry}`)});
        const plugin = module.default;
        const brand = plugin && plugin[Symbol.for("s3notify.core.TargetPlugin")] === true;
        console.log(JSON.stringify({ exports: Object.keys(module).length, brand, type: plugin?.type ?? null }));
      `;
      const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { cwd: root });
      const result = JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as { exports: number; brand: boolean; type: string | null };
      if (manifest.s3notify) {
        expect(result.brand).toBe(true);
        expect(result.type).toBe(manifest.s3notify.type);
      }
    });
  }
});
