import { describe, expect, it } from "vitest";
import { HealthTracker } from "../../src/routing/health.js";
import { parseProviderPreferences } from "../../src/routing/preferences.js";
import { planRoute } from "../../src/routing/planner.js";
import type { RoutingRequest } from "../../src/routing/types.js";
import { context, request, seeded, testCatalog } from "./fixtures.js";
import { errorOf } from "../support/app-error.js";

const catalog = testCatalog();
const providersOf = (req: RoutingRequest, ctx = context()) => planRoute(req, catalog, ctx).attempts.map((a) => a.endpoint.provider.slug);
const prefs = (wire: unknown) => parseProviderPreferences(wire);

describe("default load balancing", () => {
  it("draws the first endpoint with weight 1/price² ($1 is 4× likelier than $2, 9× than $3)", () => {
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    const random = seeded(42);
    for (let i = 0; i < 14_000; i += 1) counts[providersOf(request(), context({ random }))[0]!]! += 1;
    // Expected shares: 1 : 1/4 : 1/9 → 73.5% / 18.4% / 8.2%
    expect(counts.a! / 14_000).toBeCloseTo(0.735, 1);
    expect(counts.b! / 14_000).toBeCloseTo(0.184, 1);
    expect(counts.c! / 14_000).toBeCloseTo(0.082, 1);
    expect(counts.a! / counts.c!).toBeGreaterThan(7.5);
    expect(counts.a! / counts.c!).toBeLessThan(10.5);
  });

  it("is deterministic for a given random source and always lists every endpoint", () => {
    expect(providersOf(request(), context({ random: () => 0 }))).toEqual(["a", "b", "c"]);
    expect(providersOf(request(), context({ random: () => 0.999 }))).toEqual(["c", "b", "a"]);
  });

  it("puts endpoints that failed in the last 30 s after the healthy ones", () => {
    const health = new HealthTracker();
    const nowMs = 1_000_000_000;
    health.record("test/multi@a", { atMs: nowMs - 10_000, ok: false });
    expect(providersOf(request(), context({ health, nowMs }))).toEqual(["b", "c", "a"]);
    expect(providersOf(request(), context({ health, nowMs: nowMs + 25_000 }))).toEqual(["a", "b", "c"]);
  });
});

describe("provider preferences", () => {
  it("order puts the listed providers first, then the rest as fallbacks", () => {
    expect(providersOf(request({ provider: prefs({ order: ["c", "Beta"] }) }))).toEqual(["c", "b", "a"]);
    expect(providersOf(request({ provider: prefs({ order: ["c"], allow_fallbacks: false }) }))).toEqual(["c"]);
  });

  it("allow_fallbacks: false without order keeps only the top endpoint", () => {
    expect(providersOf(request({ provider: prefs({ allow_fallbacks: false }) }))).toEqual(["a"]);
  });

  it("only / ignore restrict the providers, and an empty result is a 404 naming why", () => {
    expect(providersOf(request({ provider: prefs({ only: ["b", "c"] }) }))).toEqual(["b", "c"]);
    expect(providersOf(request({ provider: prefs({ ignore: ["alpha"] }) }))).toEqual(["b", "c"]);
    const error = errorOf(() => providersOf(request({ provider: prefs({ only: ["zzz"] }) })));
    expect(error.httpStatus).toBe(404);
    expect(error.message).toMatch(/allowed providers/);
  });

  it("sort by price, throughput and latency use the health statistics", () => {
    const health = new HealthTracker();
    const nowMs = 1_000_000_000;
    health.record("test/multi@c", { atMs: nowMs, ok: true, ttftMs: 100, tokensPerSecond: 300 });
    health.record("test/multi@b", { atMs: nowMs, ok: true, ttftMs: 50, tokensPerSecond: 80 });
    const ctx = context({ health, nowMs });
    expect(providersOf(request({ provider: prefs({ sort: "price" }) }), ctx)).toEqual(["a", "b", "c"]);
    expect(providersOf(request({ provider: prefs({ sort: "throughput" }) }), ctx)).toEqual(["c", "b", "a"]);
    expect(providersOf(request({ provider: prefs({ sort: { by: "latency" } }) }), ctx)).toEqual(["b", "c", "a"]);
    expect(providersOf(request({ model: "test/multi:nitro" }), ctx)).toEqual(["c", "b", "a"]);
    expect(providersOf(request({ model: "test/multi:floor" }), context({ random: () => 0.999 }))).toEqual(["a", "b", "c"]);
  });

  it("max_price is USD per million tokens and filters endpoints above it", () => {
    expect(providersOf(request({ provider: prefs({ max_price: { prompt: 2, completion: "2" } }) }))).toEqual(["a", "b"]);
    const error = errorOf(() => providersOf(request({ provider: prefs({ max_price: { completion: 0.5 } }) })));
    expect(error.httpStatus).toBe(404);
    expect(error.metadata.availability).toMatchObject({ code: "constraint_filtered", excluded_by: "max_price" });
  });

  it("data_collection: deny skips providers that store or train on prompts", () => {
    expect(providersOf(request({ provider: prefs({ data_collection: "deny" }) }))).toEqual(["a", "c"]);
  });

  it("require_parameters keeps only endpoints supporting every requested parameter", () => {
    const req = request({ provider: prefs({ require_parameters: true }), requestedParameters: ["response_format"] });
    expect(providersOf(req)).toEqual(["c"]);
  });

  it("structured output is a soft preference without require_parameters", () => {
    expect(providersOf(request({ wantsStructuredOutput: true }))).toEqual(["c", "a", "b"]);
  });

  it("rejects malformed preferences with a 400 naming the field", () => {
    expect(errorOf(() => prefs({ sort: "fastest" })).message).toMatch(/provider\.sort/);
    expect(errorOf(() => prefs({ max_price: { prompt: "cheap" } })).httpStatus).toBe(400);
  });
});

describe("capability and size filters", () => {
  it("tools route only to tool-capable endpoints; none is a 404", () => {
    expect(providersOf(request({ hasTools: true }))).toEqual(["a", "b"]);
    const error = errorOf(() => providersOf(request({ model: "test/cheap-small", hasTools: true })));
    expect(error.httpStatus).toBe(404);
    expect(error.message).toMatch(/support tool use/);
  });

  it("max_tokens excludes endpoints whose output limit is smaller", () => {
    expect(providersOf(request({ maxTokens: 6_000 }))).toEqual(["b"]);
  });

  it("a prompt beyond the context window is a 400 context_length_exceeded", () => {
    const error = errorOf(() => providersOf(request({ promptTokensEstimate: 31_000, maxTokens: 2_000 })));
    expect(error.httpStatus).toBe(400);
    expect(error.errorType).toBe("context_length_exceeded");
  });

  it("images need an image-capable endpoint", () => {
    expect(errorOf(() => providersOf(request({ hasImages: true }))).message).toMatch(/image input/);
    expect(providersOf(request({ model: "test/vision", hasImages: true }))).toEqual(["b"]);
  });
});

describe("models and errors", () => {
  it("unknown models are a 404 model_not_found", () => {
    const error = errorOf(() => providersOf(request({ model: "nobody/nothing" })));
    expect(error.httpStatus).toBe(404);
    expect(error.metadata.availability).toMatchObject({ code: "model_not_found" });
  });

  it("a model whose providers have no key answers 404 no endpoints naming what to configure", () => {
    const error = errorOf(() => providersOf(request({ model: "test/unconfigured" })));
    expect(error.httpStatus).toBe(404);
    expect(error.metadata.availability).toMatchObject({ code: "no_endpoints", retryable: false, settings: ["providers.nokey.api_key"] });
    expect(error.message).toMatch(/providers\.nokey\.api_key/);
  });

  it("a provider without an operator key serves an account that stored its own key for it, and only that account", () => {
    const own = planRoute(request({ model: "test/unconfigured", ownKeyProviders: new Set(["nokey"]) }), catalog, context());
    expect(own.attempts.map((a) => a.endpoint.id)).toEqual(["test/unconfigured@nokey"]);
    const otherKey = errorOf(() => providersOf(request({ model: "test/unconfigured", ownKeyProviders: new Set(["a"]) })));
    expect(otherKey.httpStatus).toBe(404);
    expect(otherKey.message).toMatch(/providers\.nokey\.api_key/);
    // auto routing considers it too, for that account
    const auto = planRoute(request({ model: "farebox/auto", ownKeyProviders: new Set(["nokey"]) }), catalog, context());
    expect(auto.attempts.map((a) => a.endpoint.provider.slug)).toContain("nokey");
    expect(providersOf(request({ model: "farebox/auto" }))).not.toContain("nokey");
  });

  it("a filter that leaves no endpoint reports the funnel up to it, and one that keeps all leaves the others in place", () => {
    const error = errorOf(() => providersOf(request({ provider: prefs({ ignore: ["c"] }), maxTokens: 9_000 })));
    expect(error.metadata.failed_routing_step).toBe("max_tokens");
    expect(error.metadata.routing_funnel).toEqual([
      { step: "catalog", endpoint_count: 3 },
      { step: "priced", endpoint_count: 3 },
      { step: "configured", endpoint_count: 3 },
      { step: "allowed_providers", endpoint_count: 2 },
      { step: "data_policy", endpoint_count: 2 },
      { step: "quantization", endpoint_count: 2 },
      { step: "image_input", endpoint_count: 2 },
      { step: "file_input", endpoint_count: 2 },
      { step: "audio_input", endpoint_count: 2 },
      { step: "tools", endpoint_count: 2 },
      { step: "require_parameters", endpoint_count: 2 },
      { step: "max_price", endpoint_count: 2 },
      { step: "max_tokens", endpoint_count: 0 },
    ]);
    expect(error.message).toMatch(/the largest output is 8000 tokens/);
    // the funnel of one request does not leak into the next one's
    const next = errorOf(() => providersOf(request({ model: "test/cheap-small", hasTools: true })));
    expect(next.metadata.routing_funnel).toEqual([
      { step: "catalog", endpoint_count: 1 },
      ...["priced", "configured", "allowed_providers", "data_policy", "quantization", "image_input", "file_input", "audio_input"].map((step) => ({ step, endpoint_count: 1 })),
      { step: "tools", endpoint_count: 0 },
    ]);
  });

  it("counts distinct models: repeats and blank ids are dropped, an eleventh distinct model is a 400", () => {
    const ten = Array.from({ length: 9 }, (_, i) => `nobody/m${i}`);
    const repeated = planRoute(request({ model: "test/cheap-small", models: ["", " ", "test/cheap-small", "test/cheap-small", "test/multi"] }), catalog, context());
    expect(repeated.attempts.map((a) => a.endpoint.id)).toEqual(["test/cheap-small@a", "test/multi@a", "test/multi@b", "test/multi@c"]);
    expect(errorOf(() => providersOf(request({ model: "test/multi", models: [...ten, ...ten, "test/multi"] }))).metadata.param).toBe("model");
    expect(errorOf(() => providersOf(request({ model: "test/multi", models: [...ten, "nobody/eleventh"] }))).message).toBe("At most 10 models may be listed.");
    expect(errorOf(() => providersOf(request({ model: " ", models: [""] }))).message).toMatch(/A model is required/);
  });

  it("models[] appends the next models' endpoints as fallbacks, skipping models that cannot serve", () => {
    const plan = planRoute(request({ model: "test/unconfigured", models: ["test/cheap-small", "test/multi"] }), catalog, context());
    expect(plan.attempts.map((a) => a.endpoint.id)).toEqual(["test/cheap-small@a", "test/multi@a", "test/multi@b", "test/multi@c"]);
  });
});

describe("auto routing", () => {
  it("picks the cheapest model that fits, with the next ones as fallbacks", () => {
    const plan = planRoute(request({ model: "farebox/auto" }), catalog, context());
    expect(plan.router).toBe("farebox/auto");
    expect(plan.attempts[0]!.model.id).toBe("test/cheap-small");
    expect([...new Set(plan.attempts.map((a) => a.model.id))]).toEqual(["test/cheap-small", "test/multi", "test/vision"]);
  });

  it("filters by context window, images and tools", () => {
    const big = planRoute(request({ model: "openrouter/auto", promptTokensEstimate: 100_000 }), catalog, context());
    expect(big.attempts.map((a) => a.model.id)).toEqual(["test/vision"]);
    const vision = planRoute(request({ model: "farebox/auto", hasImages: true }), catalog, context());
    expect(vision.attempts.map((a) => a.model.id)).toEqual(["test/vision"]);
    const tools = planRoute(request({ model: "farebox/auto", hasTools: true }), catalog, context());
    expect(tools.attempts[0]!.model.id).toBe("test/multi");
  });

  it("orders by throughput when asked ('the fastest model with vision')", () => {
    const health = new HealthTracker();
    health.record("test/vision@b", { atMs: 1_000_000_000, ok: true, tokensPerSecond: 500 });
    const plan = planRoute(request({ model: "farebox/auto", provider: prefs({ sort: "throughput" }) }), catalog, context({ health }));
    expect(plan.attempts[0]!.model.id).toBe("test/vision");
  });

  it("404 when no model can serve the request", () => {
    const error = errorOf(() => planRoute(request({ model: "farebox/auto", promptTokensEstimate: 500_000 }), catalog, context()));
    expect(error.httpStatus).toBe(404);
  });
});
