/**
 * How the bench starts farebox (bench/farebox-process.ts): BENCH_FAREBOX_START replaces only this
 * checkout's start command, never another checkout's; a start that fails cleans up after itself.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { startCommand, startFarebox } from "../../bench/farebox-process.js";

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

describe.skipIf(!process.env.TEST_DATABASE_URL)("a farebox start that fails", () => {
  it("leaves no database behind (the old release failing to start used to leave its own)", async () => {
    const adminDatabaseUrl = process.env.TEST_DATABASE_URL!;
    const other = mkdtempSync(join(tmpdir(), "farebox-failing-checkout-"));
    writeFileSync(join(other, "package.json"), JSON.stringify({ scripts: { start: "exit 3" } }));
    const admin = postgres(adminDatabaseUrl, { max: 1, onnotice: () => undefined });
    const benchDatabases = async () => (await admin`select datname from pg_database where datname like 'farebox_bench_%'`).map((row) => row.datname as string);
    try {
      const before = await benchDatabases();
      await expect(startFarebox({ upstreamUrl: "http://127.0.0.1:9", adminDatabaseUrl, seedEntries: 0, logFile: join(other, "farebox.log"), directory: other })).rejects.toThrow(/exited with 3/);
      expect(await benchDatabases()).toEqual(before);
    } finally {
      await admin.end();
      rmSync(other, { recursive: true, force: true });
    }
  });
});
