import { describe, expect, it } from "vitest";
import { addDays, isDay, monthStart, weekStart } from "../../src/analytics/calendar.js";
import { emptyHistogram, quantile, slotOf } from "../../src/analytics/histogram.js";

describe("bucket histograms", () => {
  const bounds = [10, 20, 40];
  it("slots values at or under each bound, overflow last", () => {
    expect([0, 10, 11, 20, 40, 41].map((v) => slotOf(bounds, v))).toEqual([0, 0, 1, 1, 2, 3]);
  });
  it("interpolates quantiles inside the bucket", () => {
    const counts = emptyHistogram(bounds);
    counts[0] = 50; // 0..10
    counts[1] = 50; // 10..20
    expect(quantile(bounds, counts, 0.5)).toBe(10);
    expect(quantile(bounds, counts, 0.75)).toBe(15);
    expect(quantile(bounds, counts, 0.25)).toBe(5);
    expect(quantile(bounds, emptyHistogram(bounds), 0.5)).toBeNull();
    const overflow = emptyHistogram(bounds);
    overflow[3] = 1;
    expect(quantile(bounds, overflow, 0.5)).toBe(40);
  });
});

describe("UTC calendar", () => {
  it("weeks start on Monday, months on the 1st", () => {
    expect(weekStart(new Date("2026-03-18T23:59:59Z"))).toBe("2026-03-16");
    expect(weekStart(new Date("2026-03-16T00:00:00Z"))).toBe("2026-03-16");
    expect(weekStart(new Date("2026-03-22T12:00:00Z"))).toBe("2026-03-16");
    expect(weekStart(new Date("2026-03-01T12:00:00Z"))).toBe("2026-02-23");
    expect(monthStart(new Date("2026-03-18T12:00:00Z"))).toBe("2026-03-01");
    expect(addDays("2026-02-28", 1)).toBe("2026-03-01");
    expect(isDay("2026-02-30")).toBe(false);
    expect(isDay("2026-02-28")).toBe(true);
    expect(isDay("2026-2-28")).toBe(false);
  });
});
