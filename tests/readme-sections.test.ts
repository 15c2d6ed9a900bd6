import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = new URL("..", import.meta.url).pathname;
const SECTIONS = ["Install", "Usage", "Configuration", "Delivery semantics", "Errors", "Supported server versions", "Running its tests", "License"];
const packages = readdirSync(join(root, "packages")).filter((name) => existsSync(join(root, "packages", name, "package.json")));

// Every package README follows one outline (docs: STYLE "READMEs"), so a user finds the same thing in the same place.
describe("package READMEs", () => {
  for (const name of packages) {
    it(`packages/${name}/README.md has the sections in order and starts with a runnable example`, () => {
      const path = join(root, "packages", name, "README.md");
      expect(existsSync(path), `${path} is missing`).toBe(true);
      const text = readFileSync(path, "utf8");
      const manifest = JSON.parse(readFileSync(join(root, "packages", name, "package.json"), "utf8")) as { name: string };
      expect(text.startsWith(`# ${manifest.name}\n\n`), "first line is the package name, then a one-line purpose").toBe(true);
      const headings = [...text.matchAll(/^## (.+)$/gm)].map((match) => match[1]?.trim());
      expect(headings.filter((heading) => SECTIONS.includes(heading ?? ""))).toEqual(SECTIONS);
      const usage = text.slice(text.indexOf("## Usage"), text.indexOf("## Configuration"));
      expect(usage, "Usage holds a code example").toMatch(/```(ts|js|sh)\n/);
    });
  }
});
