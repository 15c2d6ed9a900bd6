#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { buildProgram } from "./program.js";

const packageJson = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };

try {
  await buildProgram(packageJson.version).parseAsync(process.argv);
} catch (error) {
  // One clear line on stderr; never a stack trace or a secret.
  const message = error instanceof Error ? error.message : String(error);
  // A multi-line message (several config errors) is folded into the one line, not cut to its first.
  const line = message
    .split("\n")
    .map((part) => part.trim())
    .filter((part) => part !== "")
    .join(" ");
  process.stderr.write(`s3notify: ${line}\n`);
  process.exitCode = 1;
}
