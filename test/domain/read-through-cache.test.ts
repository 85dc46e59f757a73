import { describe, expect, it } from "vitest";
import { NOT_CACHED, ReadThroughCache } from "../../src/domain/read-through-cache.js";

/** A cache over a counting loader, on a clock the test moves. */
function counting(ttlMs = 1_000) {
  const clock = { nowMs: 0 };
  let loads = 0;
  const cache = new ReadThroughCache<string, number>(
    async (key) => {
      loads += 1;
      await Promise.resolve();
      return key.length * 100 + loads;
    },
    { ttlMs: () => ttlMs, maxEntries: 100, nowMs: () => clock.nowMs },
  );
  return { cache, clock, loads: () => loads };
}

describe("ReadThroughCache", () => {
  it("loads a key once for concurrent readers and keeps it for its TTL", async () => {
    const { cache, clock, loads } = counting();
    expect(await Promise.all([cache.get("a"), cache.get("a"), cache.get("a")])).toEqual([101, 101, 101]);
    clock.nowMs = 999;
    expect(await cache.get("a")).toBe(101);
    expect(loads()).toBe(1);
  });

  it("reloads an expired key once however many readers find it expired together", async () => {
    const { cache, clock, loads } = counting();
    await cache.get("a");
    clock.nowMs = 1_000;
    // readers resuming in one microtask drain (requests whose earlier awaits settled together) all see the old entry
    const values = await Promise.all(Array.from({ length: 50 }, () => cache.get("a")));
    expect(new Set(values)).toEqual(new Set([102]));
    expect(loads()).toBe(2);
  });

  it("forgets a failed load at once, and a forgotten key is loaded again", async () => {
    let fail = true;
    let loads = 0;
    const cache = new ReadThroughCache<string, string>(
      async (key) => {
        loads += 1;
        if (fail) throw new Error("database away");
        return key;
      },
      { ttlMs: () => 1_000, maxEntries: 100, nowMs: () => 0 },
    );
    await expect(cache.get("a")).rejects.toThrow("database away");
    fail = false;
    expect(await cache.get("a")).toBe("a");
    cache.forget("a");
    expect(await cache.get("a")).toBe("a");
    expect(loads).toBe(3);
  });

  it("answers from memory, without waiting, exactly what get would answer from memory", async () => {
    const { cache, clock, loads } = counting();
    expect(cache.fresh("a")).toBe(NOT_CACHED);
    const loading = cache.get("a");
    expect(cache.fresh("a")).toBe(NOT_CACHED); // still loading
    expect(await loading).toBe(101);
    expect(cache.fresh("a")).toBe(101);
    clock.nowMs = 999;
    expect(cache.fresh("a")).toBe(101);
    clock.nowMs = 1_000;
    expect(cache.fresh("a")).toBe(NOT_CACHED); // expired: get reloads
    expect(await cache.get("a")).toBe(102);
    expect(cache.fresh("a")).toBe(102);
    cache.forget("a");
    expect(cache.fresh("a")).toBe(NOT_CACHED);
    expect(loads()).toBe(2);
  });

  it("has nothing from memory for a load that failed", async () => {
    const cache = new ReadThroughCache<string, string>(
      async () => {
        throw new Error("database away");
      },
      { ttlMs: () => 1_000, maxEntries: 100, nowMs: () => 0 },
    );
    await expect(cache.get("a")).rejects.toThrow("database away");
    expect(cache.fresh("a")).toBe(NOT_CACHED);
  });
});
