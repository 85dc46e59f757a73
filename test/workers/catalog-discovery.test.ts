/**
 * Discovery over real HTTP against recorded model lists of OpenAI, Anthropic, Gemini, Groq,
 * Together and OpenRouter: listed models join the catalog under their canonical ids, priced from
 * the database or an OpenRouter-compatible listing; a model without a price is listed but refused
 * with a clear message; `pricing: free` serves it at zero; an upstream that is down leaves the
 * shipped catalog serving and says so.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LiveCatalog, isUsable } from "../../src/catalog/live-catalog.js";
import type { ProviderInput } from "../../src/catalog/types.js";
import { MODEL_LISTERS, PROTOCOL_PARAMETERS } from "../../src/providers/registry.js";
import { filterEndpoints } from "../../src/routing/endpoint-filters.js";
import { createCatalogDiscovery } from "../../src/workers/catalog-discovery.js";
import { refusedUrl } from "../support/fake-upstreams/server.js";
import { modelListFixture, startFakeModelList, type FakeModelList } from "../support/fake-upstreams/model-lists.js";
import { request } from "../routing/fixtures.js";

function recordingLog() {
  const lines: { level: string; fields: object; message: string }[] = [];
  return {
    lines,
    info: (fields: object, message: string) => lines.push({ level: "info", fields, message }),
    warn: (fields: object, message: string) => lines.push({ level: "warn", fields, message }),
  };
}

const auto = (base_url: string, extra: ProviderInput = {}): ProviderInput => ({ base_url, api_key: "test-key", models: "auto", ...extra });

describe("discovery from recorded model lists", () => {
  const servers: Record<string, FakeModelList> = {};
  let catalog: LiveCatalog;
  let log: ReturnType<typeof recordingLog>;
  let pass: () => ReturnType<ReturnType<typeof createCatalogDiscovery>["pass"]>;

  beforeAll(async () => {
    servers.openai = await startFakeModelList({ "/v1/models": modelListFixture("openai") });
    servers.anthropic = await startFakeModelList({ "/v1/models": modelListFixture("anthropic") });
    servers.google = await startFakeModelList({ "/v1beta/models": modelListFixture("gemini") });
    servers.groq = await startFakeModelList({ "/openai/v1/models": modelListFixture("groq") });
    servers.together = await startFakeModelList({ "/v1/models": modelListFixture("together") });
    servers.openrouter = await startFakeModelList({ "/api/v1/models": modelListFixture("openrouter") });
    servers.ollama = await startFakeModelList({ "/v1/models": { object: "list", data: [{ id: "llama3.2:3b", object: "model", created: 1727000000, owned_by: "library" }] } });
    catalog = new LiveCatalog({
      protocolParameters: PROTOCOL_PARAMETERS,
      providers: {
        openai: auto(`${servers.openai!.url}/v1`),
        anthropic: auto(servers.anthropic!.url),
        google: auto(`${servers.google!.url}/v1beta`),
        groq: auto(`${servers.groq!.url}/openai/v1`),
        together: auto(`${servers.together!.url}/v1`),
        openrouter: auto(`${servers.openrouter!.url}/api/v1`, { protocol: "openai", name: "OpenRouter" }),
        ollama: auto(`${servers.ollama!.url}/v1`, { protocol: "openai", pricing: "free", api_key: "none" }),
      },
    });
    log = recordingLog();
    const discovery = createCatalogDiscovery({ catalog, listers: MODEL_LISTERS, fetch: globalThis.fetch, signal: new AbortController().signal, log });
    pass = discovery.pass;
  });

  afterAll(async () => {
    await Promise.all(Object.values(servers).map((server) => server.close()));
  });

  it("lists every provider with its own API's authentication and keeps only chat models", async () => {
    const shippedSize = catalog.models.size;
    const result = await pass();
    expect(result.failed).toEqual({});
    expect(result.listed).toEqual({ openai: 5, anthropic: 3, google: 2, groq: 3, together: 1, openrouter: 3, ollama: 1 });
    expect(catalog.models.size).toBeGreaterThan(shippedSize);
    expect(servers.openai!.requests[0]!.headers.authorization).toBe("Bearer test-key");
    expect(servers.anthropic!.requests[0]!.headers["x-api-key"]).toBe("test-key");
    expect(servers.anthropic!.requests[0]!.headers["anthropic-version"]).toBe("2023-06-01");
    expect(servers.google!.requests[0]!.headers["x-goog-api-key"]).toBe("test-key");
    // discovery adds no chat model for Gemini's embedding model: the only entry is the shipped embedding model
    expect(catalog.models.get("google/gemini-embedding-001")?.kind).toBe("embeddings");
    expect(catalog.models.get("google/gemini-embedding-001")?.endpoints.map((e) => e.sources.pricing)).toEqual(["genai-prices (bundled): google/gemini-embedding-001"]);
  });

  it("adds a provider's endpoint to the model it serves, matched by canonical id, with the facts its listing gives", () => {
    const opus = catalog.models.get("anthropic/claude-opus-4.7")!;
    expect(opus.endpoints.map((e) => e.provider.slug).sort()).toEqual(["anthropic", "openrouter"]);
    const viaOpenRouter = opus.endpoints.find((e) => e.provider.slug === "openrouter")!;
    expect(viaOpenRouter.upstreamModel).toBe("anthropic/claude-opus-4.7");
    expect(viaOpenRouter.pricing.promptNanoPerMillion).toBe(5_000_000_000n);
    expect(viaOpenRouter.pricing.cacheWriteNanoPerMillion).toBe(6_250_000_000n);
    expect(viaOpenRouter.maxCompletionTokens).toBe(128_000);
    expect(viaOpenRouter.inputModalities).toEqual(["text", "image", "file"]);
    expect(viaOpenRouter.sources.pricing).toMatch(/discovery: openrouter/);
    const gemini = catalog.models.get("google/gemini-3.1-pro-preview")!.endpoints[0]!;
    expect([gemini.contextLength, gemini.maxCompletionTokens]).toEqual([1_048_576, 65_536]);
    expect(gemini.sources.max_completion_tokens).toBe("discovery: google");
    const maverick = catalog.models.get("meta-llama/llama-4-maverick")!;
    expect(maverick.endpoints.map((e) => e.provider.slug).sort()).toEqual(["fireworks", "groq", "together"]);
    expect(maverick.endpoints.find((e) => e.provider.slug === "groq")!.maxCompletionTokens).toBe(8_192);
  });

  it("serves an OpenRouter-compatible upstream's whole catalog at its listed prices", () => {
    const fresh = catalog.models.get("acme/brand-new-model")!;
    expect(fresh.endpoints[0]!.pricing).toMatchObject({ promptNanoPerMillion: 400_000_000n, completionNanoPerMillion: 1_600_000_000n });
    expect(isUsable(fresh)).toBe(true);
  });

  it("lists a model without a known price but refuses it, naming how to price it", () => {
    const unpriced = catalog.models.get("openai/gpt-7-mini")!;
    expect(unpriced.endpoints[0]!.priced).toBe(false);
    expect(isUsable(unpriced)).toBe(false);
    const { error } = filterEndpoints(unpriced, request({ model: unpriced.id }));
    expect(error?.httpStatus).toBe(404);
    expect(error?.message).toMatch(/no known price.*models\[\]\.endpoints\[\]\.pricing.*providers\.openai\.pricing: free/);
    // openrouter/auto's "-1" is not a price
    expect(catalog.models.get("openrouter/auto")!.endpoints[0]!.priced).toBe(false);
  });

  it("serves a free provider's discovered model at zero, under the canonical id of the model it runs", () => {
    const local = catalog.models.get("meta-llama/llama-3.2-3b-instruct")!;
    const endpoint = local.endpoints.find((e) => e.provider.slug === "ollama")!;
    expect(endpoint.upstreamModel).toBe("llama3.2:3b");
    expect(endpoint.priced).toBe(true);
    expect(endpoint.pricing.promptNanoPerMillion).toBe(0n);
    expect(filterEndpoints(local, request({ model: local.id, hasTools: true })).endpoints).toContain(endpoint);
  });

  it("drops a model removed upstream on the next pass, and keeps the last listing while an upstream is down", async () => {
    servers.openai!.serve("/v1/models", { object: "list", data: [{ id: "gpt-4o-mini", object: "model", created: 1721172741, owned_by: "system" }] });
    await pass();
    expect(catalog.models.has("openai/gpt-7-mini")).toBe(false);
    await servers.openrouter!.close();
    const result = await pass();
    expect(result.failed.openrouter).toBeDefined();
    expect(catalog.models.has("acme/brand-new-model")).toBe(true);
    expect(log.lines.at(-2)?.message).toMatch(/could not list openrouter's models; keeping its last listing of 3 models/);
  });
});

describe("discovery from an upstream that is down", () => {
  it("leaves the shipped catalog serving and says so", async () => {
    const catalog = new LiveCatalog({ providers: { vllm: { protocol: "openai", base_url: `${await refusedUrl()}/v1`, models: "auto" } } });
    const shipped = catalog.models.size;
    const log = recordingLog();
    const result = await createCatalogDiscovery({ catalog, listers: MODEL_LISTERS, fetch: globalThis.fetch, signal: new AbortController().signal, log }).pass();
    expect(Object.keys(result.failed)).toEqual(["vllm"]);
    expect(catalog.models.size).toBe(shipped);
    expect(shipped).toBeGreaterThan(250);
    expect(log.lines.find((line) => line.level === "warn")?.message).toMatch(/could not list vllm's models; serving the shipped catalog without them/);
  });
});
