/**
 * When the cluster adds or retires a gateway process (FAREBOX_WORKERS=auto): as many more as bring
 * the serving processes' mean event-loop utilization below one half once it reaches it, up to the
 * most; one fewer only after the load has fitted in one fewer (each below a quarter) for the whole
 * idle time; nothing while a process starts or the connections are still moving after a change.
 */
import { describe, expect, it } from "vitest";
import { ProcessScaling, SCALE_OUT_AT } from "../../src/wiring/process-scaling.js";

const IDLE_MS = 10_000;

describe("how many gateway processes the load needs", () => {
  it("adds one when the mean utilization reaches one half, up to the most", () => {
    const scaling = new ProcessScaling(3, IDLE_MS);
    expect(scaling.decide(1_000, [0.49], false)).toBeUndefined();
    expect(scaling.decide(2_000, [SCALE_OUT_AT], false)).toEqual({ out: 1 });
    expect(scaling.decide(3_000, [0.9, 0.2], false)).toEqual({ out: 1 });
    expect(scaling.decide(4_000, [0.9, 0.6, 0.7], false)).toBeUndefined();
  });

  it("adds as many as bring the mean below one half at once, so that a surge on many cores doubles the count at each step", () => {
    const scaling = new ProcessScaling(8, IDLE_MS);
    expect(scaling.decide(1_000, [1], false)).toEqual({ out: 1 });
    expect(scaling.decide(2_000, [1, 1], false)).toEqual({ out: 2 });
    expect(scaling.decide(3_000, [1, 0.9, 1, 1], false)).toEqual({ out: 4 });
    expect(scaling.decide(4_000, [1, 1, 1, 1, 1, 1], false)).toEqual({ out: 2 });
    // 0.75 mean over 4: 3.0 in all, 6 would bring it to one half
    expect(scaling.decide(5_000, [0.75, 0.75, 0.75, 0.75], false)).toEqual({ out: 2 });
  });

  it("adds none while a process is still starting, or for a moment after one joined", () => {
    const scaling = new ProcessScaling(4, IDLE_MS);
    expect(scaling.decide(1_000, [1], true)).toBeUndefined();
    scaling.changed(1_000);
    expect(scaling.decide(3_000, [1, 1], false)).toBeUndefined();
    expect(scaling.decide(4_000, [1, 1], false)).toEqual({ out: 2 });
    scaling.changed(5_000, 60_000);
    expect(scaling.decide(64_000, [1, 1], false)).toBeUndefined();
    expect(scaling.decide(65_000, [1, 1], false)).toEqual({ out: 2 });
  });

  it("retires one only once the load has fitted in one fewer for the whole idle time", () => {
    const scaling = new ProcessScaling(2, IDLE_MS);
    // 0.2 + 0.04 would be 0.24 for one process: below a quarter
    expect(scaling.decide(0, [0.2, 0.04], false)).toBeUndefined();
    expect(scaling.decide(IDLE_MS - 1, [0.2, 0.04], false)).toBeUndefined();
    expect(scaling.decide(IDLE_MS, [0.2, 0.04], false)).toBe("in");
    // the quiet time starts again after a retirement
    expect(scaling.decide(IDLE_MS + 1_000, [0.01, 0.01], false)).toBeUndefined();
  });

  it("starts the idle time again whenever the load would not fit in one fewer", () => {
    const scaling = new ProcessScaling(3, IDLE_MS);
    expect(scaling.decide(0, [0.1, 0.1, 0.1], false)).toBeUndefined();
    // 0.3 + 0.2 + 0 over two processes is exactly a quarter: still needed
    expect(scaling.decide(5_000, [0.3, 0.2, 0], false)).toBeUndefined();
    expect(scaling.decide(6_000, [0.1, 0.1, 0.1], false)).toBeUndefined();
    expect(scaling.decide(6_000 + IDLE_MS - 1, [0.1, 0.1, 0.1], false)).toBeUndefined();
    expect(scaling.decide(6_000 + IDLE_MS, [0.1, 0.1, 0.1], false)).toBe("in");
  });

  it("never retires the last process", () => {
    const scaling = new ProcessScaling(2, IDLE_MS);
    expect(scaling.decide(0, [0], false)).toBeUndefined();
    expect(scaling.decide(10 * IDLE_MS, [0], false)).toBeUndefined();
  });
});
