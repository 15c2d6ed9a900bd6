import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../../", import.meta.url));

function sourceFiles(folder: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "node_modules" && entry.name !== "dist") files.push(...sourceFiles(path));
    } else if (/\.(ts|mts|js|mjs)$/.test(entry.name) && !/\.(test|fixture)\.ts$/.test(entry.name)) {
      files.push(path);
    }
  }
  return files;
}

/** Every `S3NOTIFY_ERR_*` code written as a string literal in a package's source. */
function codesInSource(): Map<string, string> {
  const codes = new Map<string, string>();
  const packages = join(root, "packages");
  for (const name of readdirSync(packages)) {
    let files: string[];
    try {
      files = sourceFiles(join(packages, name, "src"));
    } catch {
      continue;
    }
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      // A literal: the code right after a quote or backtick, and not a template's fixed prefix.
      for (const match of text.matchAll(/["'`](S3NOTIFY_ERR_[A-Z0-9_]+)(?![A-Z0-9_]|\$\{)/g)) {
        const code = match[1] as string;
        if (code.endsWith("_")) continue;
        if (!codes.has(code)) codes.set(code, file.slice(root.length));
      }
    }
  }
  return codes;
}

function codesInDocs(): Set<string> {
  const text = readFileSync(join(root, "docs", "errors.md"), "utf8");
  return new Set([...text.matchAll(/^\| `(S3NOTIFY_ERR_[A-Z0-9_<> ]+)`/gm)].map((match) => match[1] as string));
}

describe("docs/errors.md", () => {
  it("lists every S3NOTIFY_ERR_* code used in the source", () => {
    const documented = codesInDocs();
    const missing = [...codesInSource()].filter(([code]) => !documented.has(code)).map(([code, file]) => `${code} (${file})`);
    expect(missing, "add these codes to docs/errors.md").toEqual([]);
  });

  it("finds the codes it should (the grep itself works)", () => {
    const codes = codesInSource();
    expect(codes.has("S3NOTIFY_ERR_CONFIG")).toBe(true);
    expect(codes.has("S3NOTIFY_ERR_PLUGIN_DUPLICATE")).toBe(true);
    expect([...codes.keys()].some((code) => code.startsWith("S3NOTIFY_ERR_S3_"))).toBe(false);
    expect(codesInDocs().has("S3NOTIFY_ERR_S3_<S3 CODE>")).toBe(true);
  });

  it("documents the S3 error family with the code S3Error derives", async () => {
    const { S3Error } = await import("./s3-error.js");
    expect(new S3Error("MalformedXML", "m").code).toBe("S3NOTIFY_ERR_S3_MALFORMED_XML");
    expect(readFileSync(join(root, "docs", "errors.md"), "utf8")).toContain("`S3NOTIFY_ERR_S3_MALFORMED_XML`");
  });
});
