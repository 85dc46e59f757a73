/**
 * When the cluster adds or retires a gateway process (FAREBOX_WORKERS=auto): once the serving
 * processes' mean event-loop utilization has been at least 0.6 for two readings in a row, as many
 * more as bring it below, up to the most; one fewer only after the load has fitted in one fewer
 * (below 0.6 each) for the whole idle time; nothing while a process starts or the connections are
 * still moving after a change.
 */
import { describe, expect, it } from "vitest";
import { ProcessScaling, SCALE_OUT_AT } from "../../src/wiring/process-scaling.js";

const IDLE_MS = 10_000;

describe("how many gateway processes the load needs", () => {
  it("adds one when the mean utilization has been at least 0.6 for two seconds, up to the most", () => {
    const scaling = new ProcessScaling(3, IDLE_MS);
    expect(scaling.decide(1_000, [0.59], false)).toBeUndefined();
    expect(scaling.decide(2_000, [SCALE_OUT_AT], false)).toBeUndefined();
    expect(scaling.decide(3_000, [SCALE_OUT_AT], false)).toEqual({ out: 1 });
    expect(scaling.decide(4_000, [0.9, 0.4], false)).toBeUndefined();
    expect(scaling.decide(5_000, [0.9, 0.4], false)).toEqual({ out: 1 });
    expect(scaling.decide(6_000, [0.9, 0.6, 0.7], false)).toBeUndefined();
    expect(scaling.decide(7_000, [0.9, 0.6, 0.7], false)).toBeUndefined();
  });

  it("does not add one for a single busy second (a burst, a garbage collection)", () => {
    const scaling = new ProcessScaling(2, IDLE_MS);
    expect(scaling.decide(1_000, [1], false)).toBeUndefined();
    expect(scaling.decide(2_000, [0.4], false)).toBeUndefined();
    expect(scaling.decide(3_000, [1], false)).toBeUndefined();
    expect(scaling.decide(4_000, [0.5], false)).toBeUndefined();
    expect(scaling.decide(5_000, [0.7], false)).toBeUndefined();
    expect(scaling.decide(6_000, [0.7], false)).toEqual({ out: 1 });
  });

  it("adds as many as bring the mean below 0.6 at once, so that a surge on many cores doubles the count at each step", () => {
    const scaling = new ProcessScaling(8, IDLE_MS);
    const twice = (now: number, utilizations: number[]) => {
      expect(scaling.decide(now, utilizations, false)).toBeUndefined();
      return scaling.decide(now + 1_000, utilizations, false);
    };
    expect(twice(1_000, [1])).toEqual({ out: 1 });
    expect(twice(3_000, [1, 1])).toEqual({ out: 2 });
    expect(twice(5_000, [1, 0.9, 1, 1])).toEqual({ out: 3 });
    expect(twice(7_000, [1, 1, 1, 1, 1, 1, 1])).toEqual({ out: 1 });
    // 0.75 mean over 4: 3.0 in all, 5 would bring it to exactly 0.6
    expect(twice(9_000, [0.75, 0.75, 0.75, 0.75])).toEqual({ out: 1 });
  });

  it("adds none while a process is still starting, or for a moment after one joined", () => {
    const scaling = new ProcessScaling(4, IDLE_MS);
    expect(scaling.decide(1_000, [1], false)).toBeUndefined();
    expect(scaling.decide(2_000, [1], true)).toBeUndefined();
    // the busy readings count again from the start once nothing is starting
    expect(scaling.decide(3_000, [1], false)).toBeUndefined();
    scaling.changed(3_000);
    expect(scaling.decide(5_000, [1, 1], false)).toBeUndefined();
    expect(scaling.decide(6_000, [1, 1], false)).toBeUndefined();
    expect(scaling.decide(7_000, [1, 1], false)).toEqual({ out: 2 });
    scaling.changed(8_000, 60_000);
    expect(scaling.decide(67_000, [1, 1], false)).toBeUndefined();
    expect(scaling.decide(68_000, [1, 1], false)).toBeUndefined();
    expect(scaling.decide(69_000, [1, 1], false)).toEqual({ out: 2 });
  });

  it("retires one only once the load has fitted in one fewer for the whole idle time", () => {
    const scaling = new ProcessScaling(2, IDLE_MS);
    // 0.3 + 0.29 would be 0.59 for one process: below 0.6
    expect(scaling.decide(0, [0.3, 0.29], false)).toBeUndefined();
    expect(scaling.decide(IDLE_MS - 1, [0.3, 0.29], false)).toBeUndefined();
    expect(scaling.decide(IDLE_MS, [0.3, 0.29], false)).toBe("in");
    // the quiet time starts again after a retirement
    expect(scaling.decide(IDLE_MS + 1_000, [0.01, 0.01], false)).toBeUndefined();
  });

  it("starts the idle time again whenever the load would not fit in one fewer", () => {
    const scaling = new ProcessScaling(3, IDLE_MS);
    expect(scaling.decide(0, [0.3, 0.3, 0.3], false)).toBeUndefined();
    // 0.5 + 0.4 + 0.3 over two processes is exactly 0.6: still needed
    expect(scaling.decide(5_000, [0.5, 0.4, 0.3], false)).toBeUndefined();
    expect(scaling.decide(6_000, [0.3, 0.3, 0.3], false)).toBeUndefined();
    expect(scaling.decide(6_000 + IDLE_MS - 1, [0.3, 0.3, 0.3], false)).toBeUndefined();
    expect(scaling.decide(6_000 + IDLE_MS, [0.3, 0.3, 0.3], false)).toBe("in");
  });

  it("never retires the last process", () => {
    const scaling = new ProcessScaling(2, IDLE_MS);
    expect(scaling.decide(0, [0], false)).toBeUndefined();
    expect(scaling.decide(10 * IDLE_MS, [0], false)).toBeUndefined();
  });
});
