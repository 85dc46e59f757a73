import { describe, expect, it } from "vitest";
import { buildCatalog } from "../../src/catalog/build-catalog.js";
import { catalogReport } from "../../src/catalog/catalog-report.js";
import { SHIPPED_EMBEDDINGS } from "../../src/catalog/embedding-models.js";
import { planRoute } from "../../src/routing/planner.js";
import type { RoutingRequest } from "../../src/routing/types.js";

describe("shipped embedding models", () => {
  const catalog = buildCatalog();
  const embeddings = [...catalog.models.values()].filter((model) => model.kind === "embeddings");

  it("ships OpenAI, Google, Mistral and open-weight models on Together and Fireworks, each with every endpoint", () => {
    expect(embeddings.map((model) => model.id).sort()).toEqual(SHIPPED_EMBEDDINGS.map((model) => model.id).sort());
    const providers = new Set(embeddings.flatMap((model) => model.endpoints.map((endpoint) => endpoint.provider.slug)));
    expect([...providers].sort()).toEqual(["fireworks", "google", "mistral", "openai", "together"]);
  });

  it("takes list prices from the price database where it has them, input tokens only", () => {
    const small = catalog.models.get("openai/text-embedding-3-small")!.endpoints[0]!;
    expect(small.pricing.promptNanoPerMillion).toBe(20_000_000n);
    expect(small.pricing.completionNanoPerMillion).toBe(0n);
    expect(small.pricingText).toMatchObject({ prompt: "0.00000002", completion: "0" });
    expect(small.sources.pricing).toBe("genai-prices (bundled): openai/text-embedding-3-small");
    expect(small.priceSource).toMatch(/^https:\/\/.*openai\.com/);
    // the database prices mistral-embed's (nonexistent) output too: only its input price is used
    const mistral = catalog.models.get("mistralai/mistral-embed")!.endpoints[0]!;
    expect(mistral.pricing).toMatchObject({ promptNanoPerMillion: 100_000_000n, completionNanoPerMillion: 0n });
    expect(catalog.models.get("google/gemini-embedding-001")!.endpoints[0]!.pricing.promptNanoPerMillion).toBe(150_000_000n);
  });

  it("notes the provider's price page beside each price the database lacks", () => {
    const bge = catalog.models.get("baai/bge-large-en-v1.5")!.endpoints[0]!;
    expect(bge.provider.slug).toBe("together");
    expect(bge.upstreamModel).toBe("BAAI/bge-large-en-v1.5");
    expect(bge.pricing.promptNanoPerMillion).toBe(16_000_000n);
    expect(bge.priceSource).toBe("https://www.together.ai/pricing");
    expect(bge.sources.pricing).toBe("published price: https://www.together.ai/pricing");
    const nomic = catalog.models.get("nomic-ai/nomic-embed-text-v1.5")!.endpoints[0]!;
    expect(nomic.priceSource).toBe("https://fireworks.ai/pricing");
  });

  it("shows in `npm run catalog` as embedding models with their input price and its source", () => {
    const report = catalogReport(catalog);
    expect(report).toContain("baai/bge-large-en-v1.5 — BAAI: bge-large-en-v1.5 (embeddings: billed per input token)");
    expect(report).toContain("      price: in $0.016, out $0 per million tokens  [published price: https://www.together.ai/pricing]");
  });

  it("offers no embedding model to chat, and no chat model to embeddings", () => {
    const chatModels = [...catalog.models.values()].filter((model) => model.kind === "chat");
    expect(chatModels.filter((model) => /embed/i.test(model.id))).toEqual([]);
    const request = (model: string, kind?: "embeddings"): RoutingRequest => ({
      model,
      ...(kind ? { kind } : {}),
      provider: { allowFallbacks: true, requireParameters: false, dataCollection: "allow" },
      promptTokensEstimate: 10,
      hasImages: false,
      hasTools: false,
      wantsStructuredOutput: false,
      requestedParameters: [],
      ownKeyProviders: new Set(["openai", "google", "mistral", "together", "fireworks"]),
    });
    const context = { health: { lastFailureAtMs: () => undefined, ttftP50Ms: () => undefined, throughputP50: () => undefined }, nowMs: 0, random: () => 0 };
    expect(() => planRoute(request("openai/text-embedding-3-small"), catalog, context)).toThrow(/is an embedding model/);
    expect(() => planRoute(request("openai/gpt-4o-mini", "embeddings"), catalog, context)).toThrow(/is not an embedding model/);
    expect(planRoute(request("openai/text-embedding-3-small", "embeddings"), catalog, context).attempts.map((a) => a.endpoint.id)).toEqual([
      "openai/text-embedding-3-small@openai",
    ]);
    // an auto-routed chat request never lands on an embedding model
    const auto = planRoute(request("farebox/auto"), catalog, context);
    expect(auto.attempts.every((attempt) => attempt.model.kind === "chat")).toBe(true);
  });
});
