/**
 * When the cluster adds or retires a gateway process (FAREBOX_WORKERS=auto): once the serving
 * processes' mean event-loop utilization has been at least 0.9 (the default) for two readings in a row, as many
 * more as bring it below, up to the most; one fewer only after the load has fitted in one fewer
 * (below 0.9 each) for the whole idle time; nothing while a process starts or the connections are
 * still moving after a change; and more only while the machine has idle cores to run them on
 * (half a core by default, one more process per half core).
 */
import { cpus } from "node:os";
import { performance } from "node:perf_hooks";
import { describe, expect, it } from "vitest";
import { DEFAULT_WORKER_BUSY, DEFAULT_WORKER_SPARE_CORES } from "../../src/config/process-count.js";
import { idleCores, ProcessScaling } from "../../src/wiring/process-scaling.js";

const IDLE_MS = 10_000;
/** The machine's idle cores in most cases: room for any process the load asks for. */
const IDLE_CORES = 8;

describe("how many gateway processes the load needs", () => {
  it("adds one when the mean utilization has been at least 0.9 for two seconds, up to the most", () => {
    const scaling = new ProcessScaling(3, DEFAULT_WORKER_BUSY, IDLE_MS, DEFAULT_WORKER_SPARE_CORES);
    expect(scaling.decide(1_000, [0.89], false, IDLE_CORES)).toBeUndefined();
    expect(scaling.decide(2_000, [DEFAULT_WORKER_BUSY], false, IDLE_CORES)).toBeUndefined();
    expect(scaling.decide(3_000, [DEFAULT_WORKER_BUSY], false, IDLE_CORES)).toEqual({ out: 1 });
    expect(scaling.decide(4_000, [1, 0.8], false, IDLE_CORES)).toBeUndefined();
    expect(scaling.decide(5_000, [1, 0.8], false, IDLE_CORES)).toEqual({ out: 1 });
    expect(scaling.decide(6_000, [1, 0.95, 0.9], false, IDLE_CORES)).toBeUndefined();
    expect(scaling.decide(7_000, [1, 0.95, 0.9], false, IDLE_CORES)).toBeUndefined();
  });

  it("does not add one for a single busy second (a burst, a garbage collection)", () => {
    const scaling = new ProcessScaling(2, DEFAULT_WORKER_BUSY, IDLE_MS, DEFAULT_WORKER_SPARE_CORES);
    expect(scaling.decide(1_000, [1], false, IDLE_CORES)).toBeUndefined();
    expect(scaling.decide(2_000, [0.6], false, IDLE_CORES)).toBeUndefined();
    expect(scaling.decide(3_000, [1], false, IDLE_CORES)).toBeUndefined();
    expect(scaling.decide(4_000, [0.85], false, IDLE_CORES)).toBeUndefined();
    expect(scaling.decide(5_000, [0.95], false, IDLE_CORES)).toBeUndefined();
    expect(scaling.decide(6_000, [0.95], false, IDLE_CORES)).toEqual({ out: 1 });
  });

  it("adds as many as bring the mean to one half at once, so that a surge on many cores doubles the count at each step", () => {
    const scaling = new ProcessScaling(8, DEFAULT_WORKER_BUSY, IDLE_MS, DEFAULT_WORKER_SPARE_CORES);
    const twice = (now: number, utilizations: number[]) => {
      expect(scaling.decide(now, utilizations, false, IDLE_CORES)).toBeUndefined();
      return scaling.decide(now + 1_000, utilizations, false, IDLE_CORES);
    };
    expect(twice(1_000, [1])).toEqual({ out: 1 });
    expect(twice(3_000, [1, 1])).toEqual({ out: 2 });
    expect(twice(5_000, [1, 0.9, 1, 1])).toEqual({ out: 4 });
    expect(twice(7_000, [1, 1, 1, 1, 1, 1, 1])).toEqual({ out: 1 });
    // 0.95 mean over 4: 3.8 in all, 8 bring it to 0.475
    expect(twice(9_000, [0.95, 0.95, 0.95, 0.95])).toEqual({ out: 4 });
  });

  it("adds none while the machine has less than the spare cores idle (a process with no core to run on only adds its own cost), and says so once", () => {
    const scaling = new ProcessScaling(2, DEFAULT_WORKER_BUSY, IDLE_MS, DEFAULT_WORKER_SPARE_CORES);
    expect(scaling.decide(1_000, [1], false, 0.49)).toBeUndefined();
    expect(scaling.decide(2_000, [1], false, 0.3)).toBe("no room");
    expect(scaling.decide(3_000, [1], false, 0.2)).toBeUndefined();
    expect(scaling.decide(4_000, [1], false, 0.5)).toBeUndefined();
    // the busy readings count from the first with room
    expect(scaling.decide(5_000, [1], false, 0.1)).toBeUndefined();
    expect(scaling.decide(6_000, [1], false, 0.6)).toBeUndefined();
    expect(scaling.decide(7_000, [1], false, 0.6)).toEqual({ out: 1 });
    // said again in a later busy stretch
    const later = new ProcessScaling(2, DEFAULT_WORKER_BUSY, IDLE_MS, DEFAULT_WORKER_SPARE_CORES);
    for (const [now, utilization] of [[1_000, 1], [2_000, 1], [3_000, 0.5], [4_000, 1]] as const) later.decide(now, [utilization], false, 0.2);
    expect(later.decide(5_000, [1], false, 0.2)).toBe("no room");
  });

  it("adds no more processes than the idle cores can run, one per half core, but one at least", () => {
    const twice = (scaling: ProcessScaling, utilizations: number[], idleCores: number) => {
      expect(scaling.decide(1_000, utilizations, false, idleCores)).toBeUndefined();
      return scaling.decide(2_000, utilizations, false, idleCores);
    };
    expect(twice(new ProcessScaling(16, DEFAULT_WORKER_BUSY, IDLE_MS, DEFAULT_WORKER_SPARE_CORES), [1, 1, 1, 1], 1.4)).toEqual({ out: 2 });
    expect(twice(new ProcessScaling(16, DEFAULT_WORKER_BUSY, IDLE_MS, DEFAULT_WORKER_SPARE_CORES), [1, 1, 1, 1], 0.5)).toEqual({ out: 1 });
    // an operator's 0 starts one even on a machine with no idle core
    expect(twice(new ProcessScaling(16, DEFAULT_WORKER_BUSY, IDLE_MS, 0), [1, 1, 1, 1], 0)).toEqual({ out: 1 });
  });

  it("adds none while a process is still starting, or for a moment after one joined", () => {
    const scaling = new ProcessScaling(4, DEFAULT_WORKER_BUSY, IDLE_MS, DEFAULT_WORKER_SPARE_CORES);
    expect(scaling.decide(1_000, [1], false, IDLE_CORES)).toBeUndefined();
    expect(scaling.decide(2_000, [1], true, IDLE_CORES)).toBeUndefined();
    // the busy readings count again from the start once nothing is starting
    expect(scaling.decide(3_000, [1], false, IDLE_CORES)).toBeUndefined();
    scaling.changed(3_000);
    expect(scaling.decide(5_000, [1, 1], false, IDLE_CORES)).toBeUndefined();
    expect(scaling.decide(6_000, [1, 1], false, IDLE_CORES)).toBeUndefined();
    expect(scaling.decide(7_000, [1, 1], false, IDLE_CORES)).toEqual({ out: 2 });
    scaling.changed(8_000, 60_000);
    expect(scaling.decide(67_000, [1, 1], false, IDLE_CORES)).toBeUndefined();
    expect(scaling.decide(68_000, [1, 1], false, IDLE_CORES)).toBeUndefined();
    expect(scaling.decide(69_000, [1, 1], false, IDLE_CORES)).toEqual({ out: 2 });
  });

  it("retires one only once the load has fitted in one fewer for the whole idle time", () => {
    const scaling = new ProcessScaling(2, DEFAULT_WORKER_BUSY, IDLE_MS, DEFAULT_WORKER_SPARE_CORES);
    // 0.45 + 0.44 would be 0.89 for one process: below 0.9
    expect(scaling.decide(0, [0.45, 0.44], false, IDLE_CORES)).toBeUndefined();
    expect(scaling.decide(IDLE_MS - 1, [0.45, 0.44], false, IDLE_CORES)).toBeUndefined();
    expect(scaling.decide(IDLE_MS, [0.45, 0.44], false, IDLE_CORES)).toBe("in");
    // the quiet time starts again after a retirement
    expect(scaling.decide(IDLE_MS + 1_000, [0.01, 0.01], false, IDLE_CORES)).toBeUndefined();
  });

  it("starts the idle time again whenever the load would not fit in one fewer", () => {
    const scaling = new ProcessScaling(3, DEFAULT_WORKER_BUSY, IDLE_MS, DEFAULT_WORKER_SPARE_CORES);
    expect(scaling.decide(0, [0.5, 0.5, 0.5], false, IDLE_CORES)).toBeUndefined();
    // 1 + 0.5 + 0.3 over two processes is exactly 0.9: still needed
    expect(scaling.decide(5_000, [1, 0.5, 0.3], false, IDLE_CORES)).toBeUndefined();
    expect(scaling.decide(6_000, [0.5, 0.5, 0.5], false, IDLE_CORES)).toBeUndefined();
    expect(scaling.decide(6_000 + IDLE_MS - 1, [0.5, 0.5, 0.5], false, IDLE_CORES)).toBeUndefined();
    expect(scaling.decide(6_000 + IDLE_MS, [0.5, 0.5, 0.5], false, IDLE_CORES)).toBe("in");
  });

  it("starts more at the utilization the operator set", () => {
    const scaling = new ProcessScaling(2, 0.5, IDLE_MS, DEFAULT_WORKER_SPARE_CORES);
    expect(scaling.decide(1_000, [0.5], false, IDLE_CORES)).toBeUndefined();
    expect(scaling.decide(2_000, [0.5], false, IDLE_CORES)).toEqual({ out: 1 });
    // 0.3 + 0.3 over one process is 0.6: still needed at 0.5
    expect(scaling.decide(3_000, [0.3, 0.3], false, IDLE_CORES)).toBeUndefined();
    expect(scaling.decide(3_000 + IDLE_MS, [0.3, 0.3], false, IDLE_CORES)).toBeUndefined();
  });

  it("never retires the last process", () => {
    const scaling = new ProcessScaling(2, DEFAULT_WORKER_BUSY, IDLE_MS, DEFAULT_WORKER_SPARE_CORES);
    expect(scaling.decide(0, [0], false, IDLE_CORES)).toBeUndefined();
    expect(scaling.decide(10 * IDLE_MS, [0], false, IDLE_CORES)).toBeUndefined();
  });
});

describe("the machine's idle cores", () => {
  it("counts a core this process keeps busy as not idle", () => {
    const read = idleCores();
    const until = performance.now() + 300;
    while (performance.now() < until);
    const idle = read();
    expect(idle).toBeGreaterThanOrEqual(0);
    expect(idle).toBeLessThanOrEqual(cpus().length - 0.5);
  });
});
