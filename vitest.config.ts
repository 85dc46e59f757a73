import { defineConfig } from "vitest/config";

/** Test runner settings: real services start per file, so files run in parallel forks with generous timeouts. */
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
