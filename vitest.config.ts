import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const packagesDir = fileURLToPath(new URL("./packages/", import.meta.url));
// Tests import sibling packages from source, so a test run needs no build.
const alias = readdirSync(packagesDir).map((name) => ({
  find: new RegExp(`^@s3notify/${name}$`),
  replacement: `${packagesDir}${name}/src/index.ts`,
}));

export default defineConfig({
  resolve: { alias },
  test: {
    include: ["packages/*/src/**/*.test.ts", "examples/*/src/**/*.test.ts", "tests/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    env: { KAFKAJS_NO_PARTITIONER_WARNING: "1" },
  },
});
