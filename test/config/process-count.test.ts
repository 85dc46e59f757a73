import { describe, expect, it } from "vitest";
import { parseWorkerBusy, parseWorkerCount, parseWorkerIdleSeconds, parseWorkerSpareCores, processPlan } from "../../src/config/process-count.js";
import { loadConfig } from "../../src/config/load.js";

const PG = "postgres://postgres@127.0.0.1:5432/farebox";
const ONE_MINUTE = 60_000;

describe("how many gateway processes serve", () => {
  it("runs one on embedded PGlite, whatever FAREBOX_WORKERS says", () => {
    expect(processPlan({ FAREBOX_WORKERS: "4" }, 8)).toEqual({ most: 1, followsLoad: false, busy: 0.9, spareCores: 0.5, idleMs: ONE_MINUTE });
    expect(processPlan({}, 8)).toEqual({ most: 1, followsLoad: false, busy: 0.9, spareCores: 0.5, idleMs: ONE_MINUTE });
  });

  it("follows the load up to one per core on PostgreSQL, or runs FAREBOX_WORKERS at all times", () => {
    expect(processPlan({ DATABASE_URL: PG }, 8)).toEqual({ most: 8, followsLoad: true, busy: 0.9, spareCores: 0.5, idleMs: ONE_MINUTE });
    expect(processPlan({ DATABASE_URL: PG, FAREBOX_WORKERS: "auto", FAREBOX_WORKER_IDLE_SECONDS: "30" }, 8)).toEqual({ most: 8, followsLoad: true, busy: 0.9, spareCores: 0.5, idleMs: 30_000 });
    expect(processPlan({ DATABASE_URL: PG, FAREBOX_WORKERS: "3" }, 8)).toEqual({ most: 3, followsLoad: false, busy: 0.9, spareCores: 0.5, idleMs: ONE_MINUTE });
    // one core: nothing to follow
    expect(processPlan({ DATABASE_URL: PG }, 1)).toEqual({ most: 1, followsLoad: false, busy: 0.9, spareCores: 0.5, idleMs: ONE_MINUTE });
  });

  it("runs one process for a value the config refuses, so that process's config check reports it", () => {
    for (const bad of ["0", "257", "two", "1.5", ""]) {
      expect(parseWorkerCount(bad)).toBeUndefined();
      expect(processPlan({ DATABASE_URL: PG, FAREBOX_WORKERS: bad }, 8).most).toBe(1);
      expect(() => loadConfig({ DATABASE_URL: PG, FAREBOX_WORKERS: bad })).toThrow(/FAREBOX_WORKERS/);
    }
    expect(processPlan({ DATABASE_URL: "mysql://db", FAREBOX_WORKERS: "4" }, 8).most).toBe(1);
  });

  it("refuses an idle time that is not a whole number of seconds from 1 to a day, and keeps the default meanwhile", () => {
    for (const bad of ["0", "86401", "soon", "2.5", ""]) {
      expect(parseWorkerIdleSeconds(bad)).toBeUndefined();
      expect(processPlan({ DATABASE_URL: PG, FAREBOX_WORKER_IDLE_SECONDS: bad }, 8).idleMs).toBe(ONE_MINUTE);
      expect(() => loadConfig({ DATABASE_URL: PG, FAREBOX_WORKER_IDLE_SECONDS: bad })).toThrow(/FAREBOX_WORKER_IDLE_SECONDS/);
    }
  });

  it("refuses a busy utilization that is not from 0.1 to 1, and keeps the default meanwhile", () => {
    for (const bad of ["0", "0.05", "1.5", "90%", "high", "0.123", ""]) {
      expect(parseWorkerBusy(bad)).toBeUndefined();
      expect(processPlan({ DATABASE_URL: PG, FAREBOX_WORKER_BUSY: bad }, 8).busy).toBe(0.9);
      expect(() => loadConfig({ DATABASE_URL: PG, FAREBOX_WORKER_BUSY: bad })).toThrow(/FAREBOX_WORKER_BUSY/);
    }
    for (const [text, value] of [["0.6", 0.6], [".75", 0.75], ["1", 1], ["1.0", 1], ["0.1", 0.1]] as const) expect(parseWorkerBusy(text)).toBe(value);
  });

  it("refuses spare cores that are not a number from 0 to 256, and keeps the default meanwhile", () => {
    for (const bad of ["-1", "257", "half", "0.125", "1e2", ""]) {
      expect(parseWorkerSpareCores(bad)).toBeUndefined();
      expect(processPlan({ DATABASE_URL: PG, FAREBOX_WORKER_SPARE_CORES: bad }, 8).spareCores).toBe(0.5);
      expect(() => loadConfig({ DATABASE_URL: PG, FAREBOX_WORKER_SPARE_CORES: bad })).toThrow(/FAREBOX_WORKER_SPARE_CORES/);
    }
    for (const [text, value] of [["0", 0], ["0.5", 0.5], [".25", 0.25], ["2", 2], ["256", 256]] as const) expect(parseWorkerSpareCores(text)).toBe(value);
  });

  it("reads the variables as the config does", () => {
    expect(loadConfig({ DATABASE_URL: PG, FAREBOX_WORKERS: "3", FAREBOX_WORKER_BUSY: "0.7", FAREBOX_WORKER_SPARE_CORES: "1", FAREBOX_WORKER_IDLE_SECONDS: "45" })).toMatchObject({ workers: 3, workerBusy: 0.7, workerSpareCores: 1, workerIdleSeconds: 45 });
    expect(loadConfig({ DATABASE_URL: PG })).toMatchObject({ workers: "auto", workerBusy: 0.9, workerSpareCores: 0.5, workerIdleSeconds: 60 });
  });
});
