import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { utcDay } from "../../src/analytics/aggregate.js";

describe("utcDay", () => {
  it("names the UTC day of every instant, whatever day was asked before", () => {
    const DAY_MS = 86_400_000;
    // instants near midnight and far apart, in any order: the kept day must never answer for another
    const instant = fc.oneof(
      fc.integer({ min: -1_000 * DAY_MS, max: 100_000 * DAY_MS }),
      fc.tuple(fc.integer({ min: -10, max: 30_000 }), fc.integer({ min: -2, max: 2 })).map(([day, offset]) => day * DAY_MS + offset),
    );
    fc.assert(
      fc.property(fc.array(instant, { minLength: 1, maxLength: 20 }), (instants) => {
        for (const ms of instants) expect(utcDay(new Date(ms))).toBe(new Date(ms).toISOString().slice(0, 10));
      }),
      { numRuns: 500 },
    );
  });
});
