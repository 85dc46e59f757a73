import { defineConfig } from "vitest/config";

/** Test runner settings: real services start per file, so files run in parallel forks with generous timeouts. */
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    globalSetup: ["test/support/global-setup.ts"],
    setupFiles: ["test/support/validate-responses.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
