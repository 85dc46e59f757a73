/**
 * Routing for request features: documents and audio go only to endpoints that read them,
 * OpenRouter-only preferences are honoured from the catalog and health data or refused with a
 * 400 naming the field, and a conversation returns to the endpoint whose cache holds it.
 */
import { describe, expect, it } from "vitest";
import { buildCatalog } from "../../src/catalog/build-catalog.js";
import { HealthTracker } from "../../src/routing/health.js";
import { planRoute } from "../../src/routing/planner.js";
import { parseProviderPreferences } from "../../src/routing/preferences.js";
import { SESSION_AFFINITY_TTL_MS, SessionAffinity } from "../../src/routing/session-affinity.js";
import type { RoutingRequest } from "../../src/routing/types.js";
import { context, request } from "./fixtures.js";
import { errorOf } from "../support/app-error.js";

const provider = (name: string) => ({ protocol: "openai" as const, base_url: "http://127.0.0.1:1/v1", api_key: "k", name });
const catalog = buildCatalog({
  includeDefault: false,
  providers: { cheap: provider("Cheap"), docs: provider("Docs"), audio: provider("Audio") },
  models: [
    {
      id: "test/media",
      context_length: 1_000_000,
      endpoints: [
        { provider: "cheap", model: "m", pricing: { prompt: "0.000001", completion: "0.000001" }, input_modalities: ["text", "image"], quantization: "fp8" },
        {
          provider: "docs",
          model: "m",
          pricing: { prompt: "0.000002", completion: "0.000002", input_cache_read: "0.0000002" },
          input_modalities: ["text", "image", "file"],
          quantization: "bf16",
        },
        { provider: "audio", model: "m", pricing: { prompt: "0.000003", completion: "0.000003" }, input_modalities: ["text", "file", "audio"] },
      ],
    },
    { id: "test/other", context_length: 100_000, endpoints: [{ provider: "cheap", model: "o", pricing: { prompt: "0.0000005", completion: "0.0000005" }, input_modalities: ["text"] }] },
    { id: "test/unstated", context_length: 100_000, endpoints: [{ provider: "cheap", model: "u", pricing: { prompt: "0.0000005", completion: "0.0000005" } }] },
  ],
});

const slugs = (req: RoutingRequest, ctx = context()) => planRoute(req, catalog, ctx).attempts.map((attempt) => attempt.endpoint.provider.slug);
const media = (overrides: Partial<RoutingRequest> = {}) => request({ model: "test/media", ...overrides });

describe("input modalities", () => {
  it("a document goes only to endpoints reading files, audio only to those reading audio", () => {
    expect(slugs(media())).toEqual(["cheap", "docs", "audio"]);
    expect(slugs(media({ hasFiles: true }))).toEqual(["docs", "audio"]);
    expect(slugs(media({ hasAudio: true }))).toEqual(["audio"]);
  });

  it("an endpoint whose modalities no source states is not filtered out: the upstream decides", () => {
    for (const media of [{ hasImages: true }, { hasFiles: true }, { hasAudio: true }]) {
      const plan = planRoute(request({ model: "test/unstated", ...media }), catalog, context());
      expect(plan.attempts.map((a) => a.endpoint.upstreamModel)).toEqual(["u"]);
      expect(plan.attempts[0]!.inputUnverified).toBe(true);
    }
    expect(planRoute(request({ model: "test/unstated" }), catalog, context()).attempts[0]!.inputUnverified).toBeUndefined();
    expect(planRoute(request({ model: "test/media", hasImages: true }), catalog, context()).attempts[0]!.inputUnverified).toBeUndefined();
    expect(catalog.models.get("test/unstated")!.endpoints[0]!.inputModalities).toBeUndefined();
  });

  it("no endpoint reading the input is a 404 naming input_modalities", () => {
    const error = errorOf(() => planRoute(request({ model: "test/other", hasFiles: true }), catalog, context()));
    expect(error.httpStatus).toBe(404);
    expect(error.message).toContain("file input");
    expect(error.metadata).toMatchObject({ failed_routing_step: "file_input", availability: { excluded_by: "input_modalities" } });
  });
});

describe("OpenRouter-only provider preferences", () => {
  it("sort exacto and zdr: true answer 400 naming the field; zdr: false is accepted", () => {
    for (const [wire, param] of [
      [{ sort: "exacto" }, "provider.sort"],
      [{ sort: { by: "exacto" } }, "provider.sort"],
      [{ zdr: true }, "provider.zdr"],
      [{ quantizations: ["fp9"] }, "provider.quantizations.0"],
      [{ preferred_max_latency: { p42: 1 } }, "provider.preferred_max_latency"],
    ] as const) {
      const error = errorOf(() => parseProviderPreferences(wire));
      expect(error.httpStatus).toBe(400);
      expect(error.metadata.param).toBe(param);
    }
    expect(parseProviderPreferences({ zdr: false }).allowFallbacks).toBe(true);
  });

  it("enforce_distillable_text: true and max_price.audio answer 400 naming the field: the catalog has no data to honour them", () => {
    for (const [wire, param] of [
      [{ enforce_distillable_text: true }, "provider.enforce_distillable_text"],
      [{ max_price: { audio: 1 } }, "provider.max_price.audio"],
      [{ max_price: { prompt: 1, audio: "0.5" } }, "provider.max_price.audio"],
      [{ enforce_distillable_text: "yes" }, "provider.enforce_distillable_text"],
    ] as const) {
      const error = errorOf(() => parseProviderPreferences(wire));
      expect(error.httpStatus).toBe(400);
      expect(error.metadata.param).toBe(param);
      expect(error.message).toContain(param);
    }
    // the values that restrict nothing are accepted
    expect(parseProviderPreferences({ enforce_distillable_text: false, max_price: { prompt: 1, audio: null } }).maxPrice).toEqual({ promptNanoPerMillion: 1_000_000_000n });
  });

  it("quantizations keep the endpoints serving them; 'unknown' matches endpoints that state none", () => {
    expect(slugs(media({ provider: parseProviderPreferences({ quantizations: ["bf16"] }) }))).toEqual(["docs"]);
    expect(slugs(media({ provider: parseProviderPreferences({ quantizations: ["fp8", "unknown"] }) }))).toEqual(["cheap", "audio"]);
    const error = errorOf(() => planRoute(media({ provider: parseProviderPreferences({ quantizations: ["int4"] }) }), catalog, context()));
    expect(error.metadata).toMatchObject({ availability: { excluded_by: "quantizations" } });
  });

  it("sort {by, partition: none} orders every listed model's endpoints together", () => {
    const byModel = planRoute(media({ models: ["test/other"], provider: parseProviderPreferences({ sort: { by: "price" } }) }), catalog, context());
    expect(byModel.attempts.map((a) => a.endpoint.id)).toEqual(["test/media@cheap", "test/media@docs", "test/media@audio", "test/other@cheap"]);
    const together = planRoute(media({ models: ["test/other"], provider: parseProviderPreferences({ sort: { by: "price", partition: "none" } }) }), catalog, context());
    expect(together.attempts.map((a) => a.endpoint.id)).toEqual(["test/other@cheap", "test/media@cheap", "test/media@docs", "test/media@audio"]);
  });

  it("preferred_min_throughput and preferred_max_latency move endpoints measured outside them last, never out", () => {
    const health = new HealthTracker();
    const nowMs = 1_000_000_000;
    for (let i = 0; i < 5; i++) {
      health.record("test/media@cheap", { atMs: nowMs - 1_000, ok: true, ttftMs: 4_000, tokensPerSecond: 20 });
      health.record("test/media@docs", { atMs: nowMs - 1_000, ok: true, ttftMs: 300, tokensPerSecond: 150 });
    }
    const ctx = context({ health, nowMs });
    expect(slugs(media({ provider: parseProviderPreferences({ preferred_min_throughput: 100 }) }), ctx)).toEqual(["docs", "audio", "cheap"]);
    // seconds on the wire; the unmeasured endpoint is not known to be slow and keeps its place
    expect(slugs(media({ provider: parseProviderPreferences({ preferred_max_latency: { p90: 1 } }) }), ctx)).toEqual(["docs", "audio", "cheap"]);
    expect(slugs(media({ provider: parseProviderPreferences({ preferred_max_latency: 5 }) }), ctx)).toEqual(["cheap", "docs", "audio"]);
  });
});

describe("conversation stickiness for prompt caching", () => {
  const docs = catalog.models.get("test/media")!.endpoints.find((endpoint) => endpoint.provider.slug === "docs")!;
  const cheap = catalog.models.get("test/media")!.endpoints.find((endpoint) => endpoint.provider.slug === "cheap")!;

  it("a conversation goes back to the caching endpoint that served it, for five minutes", () => {
    const affinity = new SessionAffinity();
    const nowMs = 1_000_000_000;
    affinity.served("acct|session:s1", docs, nowMs);
    expect(slugs(media({ sessionKey: () => "acct|session:s1" }), context({ affinity, nowMs: nowMs + 60_000 }))).toEqual(["docs", "cheap", "audio"]);
    expect(slugs(media({ sessionKey: () => "acct|session:other" }), context({ affinity, nowMs }))).toEqual(["cheap", "docs", "audio"]);
    expect(slugs(media({ sessionKey: () => "acct|session:s1" }), context({ affinity, nowMs: nowMs + SESSION_AFFINITY_TTL_MS + 1 }))).toEqual(["cheap", "docs", "audio"]);
  });

  it("not when the endpoint failed just now, when provider.order is set, or when it has no cheaper cache reads", () => {
    const affinity = new SessionAffinity();
    const nowMs = 1_000_000_000;
    affinity.served("k", docs, nowMs);
    const health = new HealthTracker();
    health.record(docs.id, { atMs: nowMs, ok: false });
    expect(slugs(media({ sessionKey: () => "k" }), context({ affinity, health, nowMs }))).toEqual(["cheap", "audio", "docs"]);
    expect(slugs(media({ sessionKey: () => "k", provider: parseProviderPreferences({ order: ["audio"] }) }), context({ affinity, nowMs }))[0]).toBe("audio");
    affinity.served("plain", cheap, nowMs);
    expect(affinity.endpointFor("plain", nowMs)).toBeUndefined();
  });

  it("keeps a bounded number of conversations, the least recently used leaving first", () => {
    const affinity = new SessionAffinity(60_000, 2);
    affinity.served("one", docs, 1);
    affinity.served("two", docs, 2);
    affinity.served("one", docs, 3);
    affinity.served("three", docs, 4);
    expect([affinity.endpointFor("one", 5), affinity.endpointFor("two", 5), affinity.endpointFor("three", 5)]).toEqual([docs.id, undefined, docs.id]);
  });
});
