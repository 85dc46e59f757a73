import { afterEach, describe, expect, it, vi } from "vitest";
import { epochMs, systemClock } from "../../src/domain/clock.js";

describe("epochMs", () => {
  afterEach(() => vi.useRealTimers());

  it("reads an injected clock", () => {
    let now = new Date("2026-11-30T12:00:00.000Z");
    const nowMs = epochMs(() => now);
    expect(nowMs()).toBe(Date.parse("2026-11-30T12:00:00.000Z"));
    now = new Date("2026-11-30T12:00:01.500Z");
    expect(nowMs()).toBe(Date.parse("2026-11-30T12:00:01.500Z"));
  });

  it("reads the system clock as systemClock does, fake timers installed later included", () => {
    const nowMs = epochMs(systemClock);
    vi.useFakeTimers({ now: new Date("2030-01-01T00:00:00.000Z") });
    expect(nowMs()).toBe(systemClock().getTime());
    expect(nowMs()).toBe(Date.parse("2030-01-01T00:00:00.000Z"));
  });
});
