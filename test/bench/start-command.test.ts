/** BENCH_FAREBOX_START replaces only this checkout's start command (bench/farebox-process.ts), never another checkout's. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startCommand } from "../../bench/farebox-process.js";

describe("the command the bench starts farebox with", () => {
  it("is BENCH_FAREBOX_START for this checkout, and another checkout's own npm start", () => {
    const other = mkdtempSync(join(tmpdir(), "farebox-other-checkout-"));
    writeFileSync(join(other, "package.json"), JSON.stringify({ scripts: { start: "node other/main.js" } }));
    const saved = process.env.BENCH_FAREBOX_START;
    process.env.BENCH_FAREBOX_START = "node --cpu-prof dist/server/main.js";
    try {
      expect(startCommand()).toBe("node --cpu-prof dist/server/main.js");
      expect(startCommand(other)).toBe("node other/main.js");
    } finally {
      if (saved === undefined) delete process.env.BENCH_FAREBOX_START;
      else process.env.BENCH_FAREBOX_START = saved;
      rmSync(other, { recursive: true, force: true });
    }
  });
});
