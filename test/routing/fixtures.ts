import { buildCatalog } from "../../src/catalog/build-catalog.js";
import type { Catalog } from "../../src/catalog/types.js";
import { HealthTracker } from "../../src/routing/health.js";
import { DEFAULT_PREFERENCES } from "../../src/routing/preferences.js";
import type { PlannerContext, RoutingRequest } from "../../src/routing/types.js";

const usd = (perMillion: number) => (perMillion / 1e6).toFixed(12).replace(/0+$/, "").replace(/\.$/, "");

/** A small catalog: one model on three providers at $1, $2, $3 (prompt = completion), and others. */
export function testCatalog(): Catalog {
  const p = (protocol: "openai" = "openai") => ({ protocol, base_url: "http://127.0.0.1:1/v1", api_key: "k" });
  return buildCatalog({
    includeDefault: false,
    providers: { a: { ...p(), name: "Alpha" }, b: { ...p(), name: "Beta", collects_data: true }, c: p(), nokey: { protocol: "openai", base_url: "http://x/v1" } },
    models: [
      {
        id: "test/multi",
        context_length: 32_000,
        max_completion_tokens: 4_000,
        input_modalities: ["text"],
        supported_parameters: ["tools", "temperature", "max_tokens"],
        endpoints: [
          { provider: "c", model: "m", pricing: { prompt: usd(3), completion: usd(3) }, supported_parameters: ["temperature", "max_tokens", "response_format"] },
          { provider: "a", model: "m", pricing: { prompt: usd(1), completion: usd(1) } },
          { provider: "b", model: "m", pricing: { prompt: usd(2), completion: usd(2) }, max_completion_tokens: 8_000 },
        ],
      },
      { id: "test/vision", context_length: 200_000, input_modalities: ["text", "image"], supported_parameters: ["tools"], endpoints: [{ provider: "b", model: "v", pricing: { prompt: usd(5), completion: usd(15) } }] },
      { id: "test/cheap-small", context_length: 4_000, input_modalities: ["text"], endpoints: [{ provider: "a", model: "s", pricing: { prompt: usd(0.1), completion: usd(0.2) } }] },
      { id: "test/unconfigured", input_modalities: ["text"], endpoints: [{ provider: "nokey", model: "u", pricing: { prompt: usd(1), completion: usd(1) } }] },
    ],
  });
}

export function request(overrides: Partial<RoutingRequest> = {}): RoutingRequest {
  return {
    model: "test/multi",
    provider: DEFAULT_PREFERENCES,
    promptTokensEstimate: 100,
    hasImages: false,
    hasTools: false,
    wantsStructuredOutput: false,
    requestedParameters: [],
    ...overrides,
  };
}

export function context(overrides: Partial<PlannerContext> = {}): PlannerContext {
  return { health: new HealthTracker(), nowMs: 1_000_000_000, random: () => 0, ...overrides };
}

/** A deterministic [0,1) sequence (mulberry32). */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
