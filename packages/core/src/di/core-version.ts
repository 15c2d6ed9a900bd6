import { readFileSync } from "node:fs";
import type { CoreInstance } from "./duplicate-core-guard.js";

/**
 * This copy of core: its package version and its package folder as a file URL. The folder,
 * not the module file, identifies a copy, so that core's `src` (tests) and `dist` (a built
 * target's import) in one checkout count as one installation.
 */
export function currentCoreInstance(): CoreInstance {
  const packageFolder = new URL("../../", import.meta.url);
  let version = "unknown";
  try {
    const parsed = JSON.parse(readFileSync(new URL("package.json", packageFolder), "utf8")) as { version?: unknown };
    if (typeof parsed.version === "string") version = parsed.version;
  } catch {
    // A bundled core has no package.json beside it; the folder still names the copy.
  }
  return { version, url: packageFolder.href };
}
