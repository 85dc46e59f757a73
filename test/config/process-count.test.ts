import { describe, expect, it } from "vitest";
import { parseWorkerCount, processCount } from "../../src/config/process-count.js";
import { loadConfig } from "../../src/config/load.js";

const PG = "postgres://postgres@127.0.0.1:5432/farebox";

describe("how many gateway processes serve", () => {
  it("runs one on embedded PGlite, whatever FAREBOX_WORKERS says", () => {
    expect(processCount({ FAREBOX_WORKERS: "4" }, 8)).toBe(1);
  });

  it("runs one per core on PostgreSQL, or FAREBOX_WORKERS", () => {
    expect(processCount({ DATABASE_URL: PG }, 8)).toBe(8);
    expect(processCount({ DATABASE_URL: PG, FAREBOX_WORKERS: "auto" }, 8)).toBe(8);
    expect(processCount({ DATABASE_URL: PG, FAREBOX_WORKERS: "3" }, 8)).toBe(3);
  });

  it("runs one process for a value the config refuses, so that process's config check reports it", () => {
    for (const bad of ["0", "257", "two", "1.5", ""]) {
      expect(parseWorkerCount(bad)).toBeUndefined();
      expect(processCount({ DATABASE_URL: PG, FAREBOX_WORKERS: bad }, 8)).toBe(1);
      expect(() => loadConfig({ DATABASE_URL: PG, FAREBOX_WORKERS: bad })).toThrow(/FAREBOX_WORKERS/);
    }
    expect(processCount({ DATABASE_URL: "mysql://db", FAREBOX_WORKERS: "4" }, 8)).toBe(1);
  });

  it("reads FAREBOX_WORKERS as the config does", () => {
    expect(loadConfig({ DATABASE_URL: PG, FAREBOX_WORKERS: "3" }).workers).toBe(3);
    expect(loadConfig({ DATABASE_URL: PG }).workers).toBe("auto");
  });
});
