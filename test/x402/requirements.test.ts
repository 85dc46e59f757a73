import { describe, expect, it } from "vitest";
import { askedNano, buildRequirements, nanoToBaseUnits } from "../../src/x402/requirements.js";

describe("what a payer is asked for", () => {
  const pricing = { minNano: 100_000_000n, surchargeNano: 0n };

  it("is the minimum payment for a cheap request and the quote plus the surcharge otherwise", () => {
    expect(askedNano(42_000n, pricing)).toBe(100_000_000n);
    expect(askedNano(315_000_001n, pricing)).toBe(315_000_001n);
    expect(askedNano(315_000_001n, { ...pricing, surchargeNano: 2_000_000n })).toBe(317_000_001n);
    expect(askedNano(99_000_000n, { ...pricing, surchargeNano: 2_000_000n })).toBe(101_000_000n);
  });

  it("rounds up to the token's base unit, so the payer never pays less than the quote", () => {
    expect(nanoToBaseUnits(315_000_001n, 6)).toBe(315_001n);
    expect(nanoToBaseUnits(315_000_000n, 6)).toBe(315_000n);
    expect(nanoToBaseUnits(1n, 6)).toBe(1n);
    expect(nanoToBaseUnits(0n, 6)).toBe(0n);
    expect(nanoToBaseUnits(7n, 9)).toBe(7n);
    expect(nanoToBaseUnits(7n, 18)).toBe(7_000_000_000n);
  });

  it("offers every asset in its own base units with its EIP-712 domain", async () => {
    const offered = { network: "eip155:8453", asset: "0xA", symbol: "USDC", decimals: 6, payTo: "0xT", extra: () => Promise.resolve({ name: "USD Coin", version: "2" }) };
    expect(await buildRequirements([offered], 100_000_000n, 300)).toEqual([
      { scheme: "exact", network: "eip155:8453", asset: "0xA", amount: "100000", payTo: "0xT", maxTimeoutSeconds: 300, extra: { name: "USD Coin", version: "2" } },
    ]);
  });
});
