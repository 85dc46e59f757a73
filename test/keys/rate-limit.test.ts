import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { MemoryRequestCounter, RedisRequestCounter, takeRequest, type RequestCounter } from "../../src/keys/index.js";

// Not database 11: test/http/key-rate-limit.test.ts flushes that one.
const redis = new Redis("redis://127.0.0.1:6379/12");
afterAll(() => redis.disconnect());

const counters: Array<[string, () => { counter: RequestCounter; prefix?: string }]> = [
  ["memory", () => ({ counter: new MemoryRequestCounter(2) })],
  [
    "redis",
    () => {
      const prefix = `test:key-rate:${randomUUID()}:`;
      return { counter: new RedisRequestCounter(redis, prefix), prefix };
    },
  ],
];

describe.each(counters)("takeRequest with the %s counter", (_name, make) => {
  it("allows `requests` per window, says when the window ends, and starts afresh in the next one", async () => {
    const { counter } = make();
    const limit = { requests: 2, intervalMs: 10_000 };
    expect(await takeRequest(counter, "key_a", limit, 1_000_000)).toEqual({ ok: true });
    expect(await takeRequest(counter, "key_a", limit, 1_004_000)).toEqual({ ok: true });
    expect(await takeRequest(counter, "key_a", limit, 1_007_500)).toEqual({ ok: false, limit, retryAfterMs: 2_500 });
    // Another key has its own budget.
    expect(await takeRequest(counter, "key_b", limit, 1_007_500)).toEqual({ ok: true });
    expect(await takeRequest(counter, "key_a", limit, 1_010_000)).toEqual({ ok: true });
    expect(await takeRequest(counter, "key_a", limit, 1_019_999)).toEqual({ ok: true });
    expect(await takeRequest(counter, "key_a", limit, 1_019_999)).toMatchObject({ ok: false, retryAfterMs: 1 });
    // Many keys past their windows do not stop a later window from counting correctly.
    for (const key of ["key_c", "key_d", "key_e"]) expect(await takeRequest(counter, key, limit, 1_030_000)).toEqual({ ok: true });
    expect(await takeRequest(counter, "key_a", limit, 1_040_000)).toEqual({ ok: true });
  });
});

describe("RedisRequestCounter", () => {
  it("makes each window's counter expire, so Redis keeps no counter past its window", async () => {
    const prefix = `test:key-rate:${randomUUID()}:`;
    const counter = new RedisRequestCounter(redis, prefix);
    expect(await counter.count("key_a", 60_000, 60_000)).toBe(1);
    expect(await counter.count("key_a", 60_000, 60_000)).toBe(2);
    const [name] = await redis.keys(`${prefix}*`);
    const ttlMs = await redis.pttl(name!);
    expect(ttlMs).toBeGreaterThan(50_000);
    expect(ttlMs).toBeLessThanOrEqual(60_000);
  });
});
