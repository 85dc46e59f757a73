/**
 * The shipped catalog against the price database it is built from: the models people ask for by
 * name are there at the database's prices (computed independently by the library's own
 * calcPrice), tiered prices are charged at the tier a request falls in, and the hold quotes the
 * highest tier the request can reach.
 */
import { createRequire } from "node:module";
import { calcPrice } from "@pydantic/genai-prices";
import { describe, expect, it } from "vitest";
import { buildCatalog } from "../../src/catalog/build-catalog.js";
import { pricesAt, pricingFromDatabase } from "../../src/catalog/database-pricing.js";
import { computeCharge } from "../../src/domain/charge.js";
import { promptTokensForReservation, quoteWorstCase } from "../../src/gateway/quote.js";

const catalog = buildCatalog();

/** Catalog model id, provider slug, the database's provider id and the upstream id it prices. */
const NAMED = [
  ["anthropic/claude-opus-4.7", "anthropic", "anthropic", "claude-opus-4-7"],
  ["openai/gpt-5.5", "openai", "openai", "gpt-5.5"],
  ["google/gemini-3.1-pro-preview", "google", "google", "gemini-3.1-pro-preview"],
  ["x-ai/grok-4.20", "xai", "x-ai", "grok-4.20"],
  ["deepseek/deepseek-v4-pro", "deepseek", "deepseek", "deepseek-v4-pro"],
  ["moonshotai/kimi-k2.6", "moonshotai", "moonshotai", "kimi-k2.6"],
  ["meta-llama/llama-4-maverick", "groq", "groq", "meta-llama/llama-4-maverick-17b-128e-instruct"],
] as const;

/** nano-USD as USD, for comparing with the library's float result. */
const usd = (nano: bigint) => Number(nano) / 1e9;

describe("the named models at the database's prices", () => {
  it.each(NAMED)("%s on %s", (modelId, slug, databaseId, upstream) => {
    const endpoint = catalog.models.get(modelId)?.endpoints.find((e) => e.provider.slug === slug);
    expect(endpoint, `${modelId} on ${slug}`).toBeDefined();
    expect(endpoint!.upstreamModel).toBe(upstream);
    // a thousand tokens each: below every long-context tier, so this is the base price
    // farebox bills the higher of time-of-day prices (DeepSeek's peak is 01:00-04:00 UTC): compare at a peak hour of today
    const peak = new Date(`${new Date().toISOString().slice(0, 10)}T02:00:00Z`);
    const reference = calcPrice({ input_tokens: 1_000, output_tokens: 1_000 }, upstream, { providerId: databaseId, timestamp: peak });
    expect(reference).not.toBeNull();
    expect(usd(endpoint!.pricing.promptNanoPerMillion) / 1_000).toBeCloseTo(reference!.input_price, 12);
    expect(usd(endpoint!.pricing.completionNanoPerMillion) / 1_000).toBeCloseTo(reference!.output_price, 12);
  });

  it("merges one model offered by several providers into one entry with an endpoint each", () => {
    const providers = (id: string) => catalog.models.get(id)!.endpoints.map((e) => e.provider.slug).sort();
    expect(providers("meta-llama/llama-4-maverick")).toEqual(["fireworks", "groq", "together"]);
    expect(providers("moonshotai/kimi-k2.6")).toEqual(["fireworks", "moonshotai"]);
    const fireworks = catalog.models.get("moonshotai/kimi-k2.6")!.endpoints.find((e) => e.provider.slug === "fireworks")!;
    expect(fireworks.upstreamModel).toBe("accounts/fireworks/models/kimi-k2p6");
  });
});

describe("tiered prices", () => {
  const gpt55 = catalog.models.get("openai/gpt-5.5")!;
  const endpoint = gpt55.endpoints[0]!;

  it("charges the tier the request's prompt falls in, exactly as the database prices it", () => {
    for (const promptTokens of [100_000, 271_999, 272_000, 400_000]) {
      const usage = { promptTokens, completionTokens: 10_000 };
      const charge = computeCharge(usage, endpoint.pricing, 0);
      const reference = calcPrice({ input_tokens: promptTokens, output_tokens: 10_000 }, "gpt-5.5", { providerId: "openai" })!;
      expect(usd(charge.baseNano), `${promptTokens} prompt tokens`).toBeCloseTo(reference.total_price, 9);
    }
    // above 271,999 prompt tokens every token costs the tier price: $10 / $45 per million
    expect(computeCharge({ promptTokens: 300_000, completionTokens: 1_000 }, endpoint.pricing, 0).baseNano).toBe(3_000_000_000n + 45_000_000n);
    expect(computeCharge({ promptTokens: 200_000, completionTokens: 1_000 }, endpoint.pricing, 0).baseNano).toBe(1_000_000_000n + 30_000_000n);
  });

  it("quotes the hold at the highest tier the request can reach", () => {
    const estimate = 200_000; // below the threshold itself, above it with the hold's headroom
    expect(promptTokensForReservation(estimate)).toBeGreaterThan(271_999);
    const quote = quoteWorstCase([{ model: gpt55, endpoint }], estimate, 1_000, 0, 0);
    const atTier = computeCharge({ promptTokens: promptTokensForReservation(estimate), completionTokens: 1_000 }, endpoint.pricing, 0).totalNano;
    expect(quote.reservedNano).toBe(atTier);
    expect(quote.reservedNano).toBe(BigInt(promptTokensForReservation(estimate)) * 10_000n + 45_000_000n);
  });

  it("accepts tiers in the config file and parses them exactly", () => {
    const configured = buildCatalog({
      includeDefault: false,
      providers: { p: { base_url: "http://x/v1", api_key: "k" } },
      models: [
        {
          id: "t/long",
          context_length: 1_000_000,
          endpoints: [{ provider: "p", model: "m", pricing: { prompt: "0.000002", completion: "0.00001", tiers: [{ above_prompt_tokens: 200_000, prompt: "0.000004" }] } }],
        },
      ],
    });
    const pricing = configured.models.get("t/long")!.endpoints[0]!.pricing;
    expect(pricing.tiers).toEqual([{ abovePromptTokens: 200_000, promptNanoPerMillion: 4_000_000_000n }]);
    expect(computeCharge({ promptTokens: 200_001, completionTokens: 0 }, pricing, 0).baseNano).toBe(800_004_000n);
  });
});

describe("dated and time-of-day prices", () => {
  const dated = {
    id: "m",
    match: { equals: "m" },
    prices: [
      { prices: { input_mtok: 1, output_mtok: 2 } },
      { constraint: { type: "time_of_date" as const, start_time: "16:30:00Z", end_time: "00:30:00Z" }, prices: { input_mtok: 0.5, output_mtok: 1 } },
      { constraint: { type: "start_date" as const, start_date: "2027-01-01" }, prices: { input_mtok: 3, output_mtok: 4 } },
    ],
  };

  it("takes the dated price once it has started, and the higher of time-of-day prices before", () => {
    expect(pricingFromDatabase(pricesAt(dated, new Date("2026-11-30T20:00:00Z")))).toEqual({ prompt: "0.000001", completion: "0.000002" });
    expect(pricingFromDatabase(pricesAt(dated, new Date("2027-01-02T00:00:00Z")))).toEqual({ prompt: "0.000003", completion: "0.000004" });
  });

  it("refuses a database price that is not an exact decimal rather than rounding it", () => {
    expect(() => pricingFromDatabase({ input_mtok: 0.0000000001, output_mtok: 1 })).toThrow(/decimal places/);
  });
});

describe("the price database package", () => {
  it("is not kept loaded once a catalog is built (its data is read only while building)", () => {
    const require = createRequire(import.meta.url);
    const packageFile = require.resolve("@pydantic/genai-prices");
    expect(buildCatalog().models.get("openai/gpt-5.5")).toBeDefined();
    expect(require.cache[packageFile]).toBeUndefined();
  });
});
