import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { computeCharge, everyTermCharge, pricingAt, type Pricing, type TokenUsage } from "../../src/domain/charge.js";

/** The charge with every term computed (the formula computeCharge had before its common case was made cheaper). */
const computeChargeOracle = (usage: TokenUsage, listed: Pricing, feeBps: number) => everyTermCharge(usage, pricingAt(listed, usage.promptTokens), feeBps);

/** Token counts that matter: 0, small, rounding-sized, huge (up to 2^53 - 1), and negative (no upstream should, none may change the result). */
const tokens = fc.oneof(
  fc.constant(0),
  fc.integer({ min: 0, max: 50 }),
  fc.integer({ min: 0, max: 2_000_000 }),
  fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  fc.integer({ min: -1_000, max: -1 }),
);
/** Prices in nano-USD per million tokens: 0, ones that round, typical, and far beyond 2^53. */
const price = fc.oneof(fc.constant(0n), fc.bigInt({ min: 0n, max: 1_000n }), fc.bigInt({ min: 0n, max: 100_000_000_000n }), fc.bigInt({ min: 0n, max: 1n << 70n }));
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const feeBps = fc.oneof(fc.constantFrom(0, 1, 550, 9_999, 10_000), fc.integer({ min: 0, max: 100_000 }));

const pricing: fc.Arbitrary<Pricing> = fc.record(
  {
    promptNanoPerMillion: price,
    completionNanoPerMillion: price,
    cacheReadNanoPerMillion: price,
    cacheWriteNanoPerMillion: price,
    requestNano: price,
    imageNano: price,
    tiers: fc.array(
      fc.record(
        { abovePromptTokens: tokens, promptNanoPerMillion: price, completionNanoPerMillion: price, cacheReadNanoPerMillion: price, cacheWriteNanoPerMillion: price },
        { requiredKeys: ["abovePromptTokens"] },
      ),
      { maxLength: 3 },
    ),
  },
  { requiredKeys: ["promptNanoPerMillion", "completionNanoPerMillion"] },
);

/** Usage with and without the optional classes, zero given explicitly or left out. */
const usage: fc.Arbitrary<TokenUsage> = fc.record(
  {
    promptTokens: tokens,
    completionTokens: tokens,
    cachedPromptTokens: fc.oneof(fc.constant(0), tokens),
    cacheWritePromptTokens: fc.oneof(fc.constant(0), tokens),
    images: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 20 })),
  },
  { requiredKeys: ["promptTokens", "completionTokens"] },
);

function outcome(compute: typeof computeCharge, input: TokenUsage, prices: Pricing, bps: number): unknown {
  try {
    return compute(input, prices, bps);
  } catch (error) {
    return { threw: (error as Error).name };
  }
}

describe("computeCharge", () => {
  it("equals the formula with every term bit for bit on generated usage, prices and fees", () => {
    fc.assert(
      fc.property(usage, pricing, feeBps, (input, prices, bps) => {
        expect(outcome(computeCharge, input, prices, bps)).toEqual(outcome(computeChargeOracle, input, prices, bps));
      }),
      { numRuns: 20_000 },
    );
  });

  it("equals the formula with every term on the common request (no cache, no images) at rounding boundaries", () => {
    // a product one nano-token either side of a whole nano-USD, and fees either side of a whole nano-USD
    const near = fc.integer({ min: 0, max: 3_000 }).chain((whole) => fc.constantFrom(whole * 1_000_000 - 1, whole * 1_000_000, whole * 1_000_000 + 1).filter((n) => n >= 0));
    fc.assert(
      fc.property(near, near, fc.constantFrom(1n, 999_999n, 1_000_000n, 1_000_001n), feeBps, maybe(price), (prompt, completion, unit, bps, requestNano) => {
        const prices: Pricing = { promptNanoPerMillion: unit, completionNanoPerMillion: unit, ...(requestNano === undefined ? {} : { requestNano }) };
        const input = { promptTokens: prompt, completionTokens: completion };
        expect(computeCharge(input, prices, bps)).toEqual(computeChargeOracle(input, prices, bps));
      }),
      { numRuns: 5_000 },
    );
  });

  it("still refuses token counts that are not integers, as before", () => {
    const prices: Pricing = { promptNanoPerMillion: 1n, completionNanoPerMillion: 1n };
    for (const input of [{ promptTokens: 1.5, completionTokens: 1 }, { promptTokens: 1, completionTokens: Number.NaN }, { promptTokens: 1, completionTokens: 1, cachedPromptTokens: Number.NaN }]) {
      expect(() => computeCharge(input, prices, 0)).toThrow(RangeError);
      expect(() => computeChargeOracle(input, prices, 0)).toThrow(RangeError);
    }
  });
});
