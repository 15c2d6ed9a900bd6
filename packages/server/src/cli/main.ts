#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { buildProgram } from "./program.js";

const packageJson = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };

try {
  await buildProgram(packageJson.version).parseAsync(process.argv);
} catch (error) {
  // One clear line on stderr; never a stack trace or a secret.
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`s3notify: ${message.split("\n")[0]}\n`);
  process.exitCode = 1;
}
