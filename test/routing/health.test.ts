import { describe, expect, it } from "vitest";
import { HealthTracker, percentile } from "../../src/routing/health.js";
import { estimatePromptTokens, hasImageParts, IMAGE_TOKENS_ESTIMATE } from "../../src/routing/estimate-tokens.js";

const MIN = 60_000;

describe("health statistics", () => {
  it("computes uptime per window, excluding rate-limited attempts", () => {
    const health = new HealthTracker();
    const now = 100 * 24 * 60 * MIN;
    health.record("e", { atMs: now - 2 * 60 * MIN, ok: false });
    health.record("e", { atMs: now - 10 * MIN, ok: false });
    health.record("e", { atMs: now - MIN, ok: true });
    health.record("e", { atMs: now, ok: true });
    health.record("e", { atMs: now, ok: false, rateLimited: true });
    expect(health.uptime("e", now, 5 * MIN)).toBe(100);
    expect(health.uptime("e", now, 30 * MIN)).toBeCloseTo(66.67, 1);
    expect(health.uptime("e", now, 24 * 60 * MIN)).toBe(50);
    expect(health.uptime("other", now, 5 * MIN)).toBeNull();
    expect(health.lastFailureAtMs("e")).toBe(now);
  });

  it("reports TTFT and throughput percentiles and forgets data older than a day", () => {
    const health = new HealthTracker();
    const now = 10 * 24 * 60 * MIN;
    for (let i = 1; i <= 100; i += 1) health.record("e", { atMs: now - (i % 20) * 1000, ok: true, ttftMs: i, tokensPerSecond: 1000 - i });
    const snap = health.snapshot("e", now);
    expect(snap.latency30m).toEqual({ p50: 50, p75: 75, p90: 90, p99: 99 });
    expect(snap.throughput30m!.p50).toBe(949);
    expect(health.ttftP50Ms("e", now)).toBe(50);
    expect(health.snapshot("e", now + 2 * 24 * 60 * MIN).uptime1d).toBeNull();
  });

  it("keeps memory bounded per bucket", () => {
    const health = new HealthTracker({ samplesPerBucket: 10 });
    for (let i = 0; i < 1000; i += 1) health.record("e", { atMs: 0, ok: true, ttftMs: i });
    expect(health.snapshot("e", 0).latency30m!.p99).toBeGreaterThanOrEqual(990);
    expect(percentile([], 0.5)).toBeUndefined();
  });
});

describe("prompt token estimate", () => {
  it("counts characters / 4 plus per-message and per-image costs", () => {
    const messages = [
      { role: "system", content: "x".repeat(400) },
      { role: "user", content: [{ type: "text", text: "y".repeat(40) }, { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } }] },
    ];
    expect(estimatePromptTokens(messages)).toBe(Math.ceil(("system".length + 400 + "user".length + "text".length + 40) / 4) + 8 + IMAGE_TOKENS_ESTIMATE);
    expect(hasImageParts(messages)).toBe(true);
    expect(hasImageParts([{ role: "user", content: "hi" }])).toBe(false);
  });
});
