#!/usr/bin/env node
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { isConfigError, S3NotifyError } from "@s3notify/core";
import { runHost } from "./run-host.js";
import { stderrLogger } from "./stderr-logger.js";

const NAME = "embedded-host";
/** dist/main.js (or src/main.ts) → the package folder, whose package.json lists the target plugins. */
const hostDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** One line per problem: each configuration error names its sub-system, target id and key. */
function errorLines(error: unknown): string[] {
  if (isConfigError(error)) {
    const all = (error as { errors?: readonly Error[] }).errors ?? [error];
    return all.map((each) => `configuration error: ${each.message}`);
  }
  if (S3NotifyError.isInstance(error)) return [`${error.code}: ${error.message.split("\n").join(" ")}`];
  return [error instanceof Error ? (error.stack ?? error.message) : String(error)];
}

try {
  process.exitCode = await runHost({
    hostDir,
    env: process.env,
    out: (line) => process.stdout.write(`${line}\n`),
    logger: stderrLogger(NAME),
  });
} catch (error) {
  for (const line of errorLines(error)) process.stderr.write(`${NAME}: ${line}\n`);
  process.exitCode = isConfigError(error) ? 2 : 1;
}
