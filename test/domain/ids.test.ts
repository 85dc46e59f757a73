import { describe, expect, it } from "vitest";
import { newGenerationId, newId, randomAlphanumeric } from "../../src/domain/ids.js";

describe("ids", () => {
  it("are OpenRouter-shaped and never repeat across many refills of the random pool", () => {
    const ids = Array.from({ length: 20_000 }, () => newGenerationId(new Date("2026-11-24T00:00:00Z")));
    for (const id of ids.slice(0, 100)) expect(id).toMatch(/^gen-1795478400-[A-Za-z0-9]{20}$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect(newId("acct")).toMatch(/^acct_[A-Za-z0-9]{24}$/);
  });

  it("draw every character about equally often", () => {
    const counts = new Map<string, number>();
    for (const char of randomAlphanumeric(62 * 4000)) counts.set(char, (counts.get(char) ?? 0) + 1);
    expect(counts.size).toBe(62);
    // 4000 expected per character; 6 standard deviations (≈ 380) either side
    for (const count of counts.values()) expect(Math.abs(count - 4000)).toBeLessThan(400);
  });
});
