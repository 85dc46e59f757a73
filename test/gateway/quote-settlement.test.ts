import { describe, expect, it } from "vitest";
import { buildCatalog } from "../../src/catalog/build-catalog.js";
import { computeCharge } from "../../src/domain/charge.js";
import { affordableOutputTokens, promptTokensForReservation, quoteWorstCase } from "../../src/gateway/quote.js";
import { settleCharge } from "../../src/gateway/settlement.js";
import { emptyUsage } from "../../src/providers/spec.js";

const catalog = buildCatalog({
  includeDefault: false,
  providers: { cheap: { base_url: "http://x/v1", api_key: "k" }, dear: { base_url: "http://y/v1", api_key: "k" } },
  models: [
    {
      id: "t/m",
      max_completion_tokens: 4_000,
      endpoints: [
        { provider: "cheap", model: "m", pricing: { prompt: "0.000001", completion: "0.000002" } },
        { provider: "dear", model: "m", pricing: { prompt: "0.000003", completion: "0.000001" }, max_completion_tokens: 8_000 },
      ],
    },
  ],
});
const model = catalog.models.get("t/m")!;
const attempts = model.endpoints.map((endpoint) => ({ model, endpoint }));

describe("worst-case quote", () => {
  it("holds the largest worst case among candidate endpoints, with max_tokens or each endpoint's max output", () => {
    const prompt = promptTokensForReservation(100);
    expect(prompt).toBe(182);
    const withMax = quoteWorstCase(attempts, 100, 1_000, 0, 500);
    // cheap: 182×1,000 + 1,000×2,000 = 2,182,000; dear: 182×3,000 + 1,000×1,000 = 1,546,000 → cheap, +5%
    expect(withMax.reservedNano).toBe(2_291_100n);
    expect(withMax.priciest.endpoint.provider.slug).toBe("cheap");
    const withoutMax = quoteWorstCase(attempts, 100, undefined, 0, 500);
    // dear can emit 8,000 tokens: 546,000 + 8,000,000 = 8,546,000 beats cheap's 182,000 + 8,000,000
    expect(withoutMax.reservedNano).toBe(computeCharge({ promptTokens: 182, completionTokens: 8_000 }, attempts[1]!.endpoint.pricing, 500).totalNano);
    expect(withoutMax.outputTokens).toBe(8_000);
  });

  it("computes exactly how many output tokens a balance affords", () => {
    const quote = quoteWorstCase(attempts, 100, 1_000, 0, 500);
    const affordable = affordableOutputTokens(quote, 1_000_000n, 0, 500);
    const cost = (n: number) => computeCharge({ promptTokens: 182, completionTokens: n }, quote.priciest.endpoint.pricing, 500).totalNano;
    expect(cost(affordable)).toBeLessThanOrEqual(1_000_000n);
    expect(cost(affordable + 1)).toBeGreaterThan(1_000_000n);
    expect(affordableOutputTokens(quote, 10n, 0, 500)).toBe(0);
  });
});

describe("settlement", () => {
  it("charges price × usage + fee and splits prompt and completion cost", () => {
    const usage = { ...emptyUsage(), promptTokens: 1_000, completionTokens: 333 };
    const s = settleCharge(usage, 0, attempts[0]!.endpoint.pricing, 500, 10_000_000n);
    expect(s.usageNano).toBe(1_666_000n);
    expect(s.feeNano).toBe(83_300n);
    expect(s.chargedNano).toBe(1_749_300n);
    expect(s.promptBaseNano).toBe(1_000_000n);
    expect(s.completionBaseNano).toBe(666_000n);
    expect(s.uncollectedNano).toBe(0n);
  });

  it("never charges more than the hold and records the rest as uncollected", () => {
    const usage = { ...emptyUsage(), promptTokens: 1_000, completionTokens: 333 };
    const s = settleCharge(usage, 0, attempts[0]!.endpoint.pricing, 500, 1_700_000n);
    expect(s.chargedNano).toBe(1_700_000n);
    expect(s.usageNano).toBe(1_666_000n);
    expect(s.feeNano).toBe(34_000n);
    expect(s.uncollectedNano).toBe(49_300n);
  });
});
