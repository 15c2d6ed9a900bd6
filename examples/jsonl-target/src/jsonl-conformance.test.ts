import { mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EventRecord, LogEnvelope } from "@s3notify/core";
import { type ConformanceBackend, runTargetConformance } from "@s3notify/testkit";
import jsonlTargetPlugin from "./index.js";

/**
 * The backend is a folder on the local disk; each scope writes its own file in it. What arrived is read
 * back from the file. The outage puts a regular file where the folder was (the folder is moved aside and
 * back): every write then fails with ENOTDIR, even as root, where removing permissions would not stop it.
 */
async function jsonlBackend(): Promise<ConformanceBackend> {
  const root = await mkdtemp(join(tmpdir(), "s3notify-jsonl-conformance-"));
  const folder = join(root, "events");
  const aside = join(root, "events.aside");
  const fileOf = (scope: string) => join(folder, `${scope}.jsonl`);
  let down = false;
  return {
    config: (scope) => ({ path: fileOf(scope) }),
    readEvents: async (scope) => {
      let text: string;
      try {
        text = await readFile(fileOf(scope), "utf8");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
        throw error;
      }
      return text
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => (JSON.parse(line) as LogEnvelope).Records[0] as EventRecord);
    },
    stop: async () => {
      if (down) return;
      await rename(folder, aside).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== "ENOENT") throw error;
      });
      await writeFile(folder, "not a folder: the jsonl backend is stopped\n");
      down = true;
    },
    start: async () => {
      if (!down) return;
      await rm(folder, { force: true });
      await rename(aside, folder).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== "ENOENT") throw error;
      });
      down = false;
    },
    close: () => rm(root, { recursive: true, force: true }),
  };
}

runTargetConformance({
  plugin: jsonlTargetPlugin,
  backend: jsonlBackend,
  invalidConfigs: [
    { description: "empty path", values: { path: "" }, key: "path" },
    { description: "relative path", values: { path: "relative/events.jsonl" }, key: "path" },
    { description: "path naming a folder", values: { path: "/tmp/events/" }, key: "path" },
    { description: "fsync neither on nor off", values: { fsync: "yes" }, key: "fsync" },
  ],
});
