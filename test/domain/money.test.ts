import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ceilDiv,
  feeFor,
  nanoPerMillionToUsdPerToken,
  nanoToUsdNumber,
  nanoToUsdString,
  formatDecimalScaled,
  parseDecimalScaledFloor,
  usdPerTokenToNanoPerMillion,
  usdToNano,
} from "../../src/domain/money.js";
import { computeCharge } from "../../src/domain/charge.js";

describe("money", () => {
  it("parses USD exactly and refuses sub-nano precision", () => {
    expect(usdToNano("12.5")).toBe(12_500_000_000n);
    expect(usdToNano("0.000000001")).toBe(1n);
    expect(usdToNano(0.1)).toBe(100_000_000n);
    expect(usdToNano("1.0000000000")).toBe(1_000_000_000n);
    expect(() => usdToNano("0.0000000001")).toThrow(/decimal places/);
    expect(() => usdToNano("1e3")).toThrow(/plain decimal/);
    expect(() => usdToNano("abc")).toThrow();
  });

  it("formats nano-USD as minimal decimal strings and numbers", () => {
    expect(nanoToUsdString(4_200n)).toBe("0.0000042");
    expect(nanoToUsdString(-2_000_000_000n)).toBe("-2");
    expect(nanoToUsdNumber(4_200n)).toBe(0.0000042);
  });

  it("formats every scaled integer as dividing by 10^scale writes it", () => {
    // the division-based formatter the digit-cutting one replaced, kept here as the reference
    const byDivision = (value: bigint, scale: number): string => {
      const abs = value < 0n ? -value : value;
      const divisor = 10n ** BigInt(scale);
      const fraction = (abs % divisor).toString().padStart(scale, "0").replace(/0+$/, "");
      return `${value < 0n ? "-" : ""}${abs / divisor}${fraction ? `.${fraction}` : ""}`;
    };
    const amounts = fc.oneof(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.bigInt({ min: -10_000n, max: 10_000n }), fc.nat(40).map((digits) => 10n ** BigInt(digits)));
    fc.assert(
      fc.property(amounts, fc.integer({ min: 0, max: 18 }), (value, scale) => {
        expect(formatDecimalScaled(value, scale)).toBe(byDivision(value, scale));
      }),
      { numRuns: 2_000 },
    );
    expect(formatDecimalScaled(0n, 9)).toBe("0");
    expect(formatDecimalScaled(-1n, 9)).toBe("-0.000000001");
    expect(formatDecimalScaled(1_000_000_000n, 9)).toBe("1");
    expect(formatDecimalScaled(1_230_000_000n, 9)).toBe("1.23");
    expect(formatDecimalScaled(7n, 0)).toBe("7");
  });

  it("gives every amount as the number its exact decimal string parses to", () => {
    const limit = BigInt(Number.MAX_SAFE_INTEGER);
    const amounts = fc.oneof(
      fc.bigInt({ min: -limit, max: limit }),
      fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n }),
      fc.bigInt({ min: 0n, max: 1_000_000n }),
      fc.bigInt({ min: limit - 1_000n, max: limit + 1_000n }),
      fc.bigInt({ min: -limit - 1_000n, max: -limit + 1_000n }),
    );
    fc.assert(
      fc.property(amounts, (nano) => {
        expect(nanoToUsdNumber(nano)).toBe(Number(nanoToUsdString(nano)));
      }),
      { numRuns: 5_000 },
    );
    expect(Object.is(nanoToUsdNumber(0n), 0)).toBe(true);
  });

  it("converts OpenRouter per-token prices to integer per-million prices and back", () => {
    expect(usdPerTokenToNanoPerMillion("0.00000015")).toBe(150_000_000n);
    expect(usdPerTokenToNanoPerMillion("0.0000006")).toBe(600_000_000n);
    expect(nanoPerMillionToUsdPerToken(150_000_000n)).toBe("0.00000015");
    expect(() => usdPerTokenToNanoPerMillion("0.0000000000000001")).toThrow();
  });

  it("rounds charges up and deposits down", () => {
    expect(ceilDiv(1n, 1_000_000n)).toBe(1n);
    expect(ceilDiv(0n, 7n)).toBe(0n);
    expect(feeFor(1n, 500)).toBe(1n);
    expect(feeFor(100n, 500)).toBe(5n);
    expect(parseDecimalScaledFloor("1.9999999999", 9)).toBe(1_999_999_999n);
  });

  it("computes base, fee and total by token class", () => {
    // gpt-4o-mini list price: $0.15 / M prompt, $0.60 / M completion.
    const pricing = { promptNanoPerMillion: 150_000_000n, completionNanoPerMillion: 600_000_000n };
    const charge = computeCharge({ promptTokens: 14, completionTokens: 7 }, pricing, 500);
    expect(charge.baseNano).toBe(2_100n + 4_200n);
    expect(charge.feeNano).toBe(315n);
    expect(charge.totalNano).toBe(6_615n);
    // 15 prompt tokens: 2250 + 4200 = 6450 base, fee ceil(322.5) = 323.
    expect(computeCharge({ promptTokens: 15, completionTokens: 7 }, pricing, 500).feeNano).toBe(323n);
    // One token at $0.0001/M costs 0.1 nano: rounds up to 1 nano.
    const tiny = { promptNanoPerMillion: 100_000n, completionNanoPerMillion: 0n };
    expect(computeCharge({ promptTokens: 1, completionTokens: 0 }, tiny, 0).totalNano).toBe(1n);
  });

  it("prices cached prompt tokens at the cache-read price", () => {
    const pricing = {
      promptNanoPerMillion: 3_000_000_000n,
      completionNanoPerMillion: 15_000_000_000n,
      cacheReadNanoPerMillion: 300_000_000n,
    };
    const charge = computeCharge({ promptTokens: 1_000, cachedPromptTokens: 800, completionTokens: 0 }, pricing, 0);
    expect(charge.totalNano).toBe(600_000n + 240_000n);
  });

  it("states the completion part of the base: what the same usage without completion tokens costs less", () => {
    const tiered = {
      promptNanoPerMillion: 1_250_000_000n,
      completionNanoPerMillion: 10_000_000_001n,
      cacheReadNanoPerMillion: 125_000_000n,
      requestNano: 7n,
      imageNano: 3n,
      tiers: [{ abovePromptTokens: 200_000, promptNanoPerMillion: 2_500_000_000n, completionNanoPerMillion: 15_000_000_003n }],
    };
    fc.assert(
      fc.property(fc.nat(400_000), fc.nat(100_000), fc.nat(50_000), fc.nat(5), (promptTokens, completionTokens, cached, images) => {
        const usage = { promptTokens, completionTokens, cachedPromptTokens: Math.min(cached, promptTokens), images };
        const full = computeCharge(usage, tiered, 500);
        const promptOnly = computeCharge({ ...usage, completionTokens: 0 }, tiered, 500);
        expect(full.completionNano).toBe(full.baseNano - promptOnly.baseNano);
      }),
    );
  });
});
