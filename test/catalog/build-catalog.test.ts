import { describe, expect, it } from "vitest";
import { buildCatalog, CatalogError } from "../../src/catalog/build-catalog.js";

describe("default catalog", () => {
  const catalog = buildCatalog();

  it("ships hundreds of priced models from every shipped provider, each price attributed to the database (or, for an embedding model it lacks, the provider's price page)", () => {
    const providers = new Set([...catalog.models.values()].flatMap((m) => m.endpoints.map((e) => e.provider.slug)));
    for (const slug of ["openai", "anthropic", "google", "xai", "deepseek", "mistral", "moonshotai", "groq", "together", "fireworks"]) {
      expect(providers, slug).toContain(slug);
    }
    expect(catalog.models.size).toBeGreaterThan(250);
    for (const model of catalog.models.values()) {
      for (const endpoint of model.endpoints) {
        expect(endpoint.priced, endpoint.id).toBe(true);
        const attribution = model.kind === "chat" ? /^genai-prices \(bundled\): / : /^(genai-prices \(bundled\): |published price: https:\/\/)/;
        expect(endpoint.sources.pricing, endpoint.id).toMatch(attribution);
        expect(endpoint.priceSource, endpoint.id).toMatch(/^https:\/\//);
      }
    }
  });

  it("parses list prices into exact integers (gpt-4o-mini: $0.15 / $0.60 per million)", () => {
    const endpoint = catalog.models.get("openai/gpt-4o-mini")!.endpoints[0]!;
    expect(endpoint.pricing.promptNanoPerMillion).toBe(150_000_000n);
    expect(endpoint.pricing.completionNanoPerMillion).toBe(600_000_000n);
    expect(endpoint.pricing.cacheReadNanoPerMillion).toBe(75_000_000n);
    expect(endpoint.pricingText.prompt).toBe("0.00000015");
  });

  it("lists shipped models without keys, so they cannot be served until configured", () => {
    expect([...catalog.providers.values()].every((p) => p.apiKey === undefined)).toBe(true);
  });

  it("OpenAI's own API takes its reasoning effort, verbosity, service tier and prediction; other OpenAI-shaped upstreams do not claim them", () => {
    const openai = catalog.models.get("openai/gpt-5.5")!.endpoints.find((e) => e.provider.slug === "openai")!;
    for (const name of ["reasoning_effort", "verbosity", "service_tier", "prediction", "max_completion_tokens"]) {
      expect(openai.supportedParameters).toContain(name);
    }
    const groq = [...catalog.models.values()].flatMap((m) => m.endpoints).find((e) => e.provider.slug === "groq")!;
    expect(groq.supportedParameters).not.toContain("reasoning_effort");
    expect(groq.supportedParameters).not.toContain("verbosity");
  });

  it("the output bound for unknown limits is configurable and never exceeds the context window; a published limit is held as is", () => {
    const bounded = buildCatalog({ unknownOutputLimitTokens: 2_000 });
    expect(bounded.models.get("openai/gpt-5.5")!.endpoints[0]!.defaultOutputTokens).toBe(2_000);
    const stated = buildCatalog({
      includeDefault: false,
      providers: { p: { protocol: "openai", base_url: "http://127.0.0.1:1/v1" } },
      discovered: { p: [{ id: "limited", contextLength: 100_000, maxCompletionTokens: 50_000 }] },
    });
    const endpoints = [...stated.models.values()].flatMap((m) => m.endpoints);
    const limited = endpoints.find((e) => e.upstreamModel === "limited")!;
    expect([limited.outputLimitKnown, limited.defaultOutputTokens]).toEqual([true, 50_000]);
  });

  it("names what no source publishes instead of inventing it", () => {
    const endpoint = catalog.models.get("openai/gpt-5.5")!.endpoints[0]!;
    expect(endpoint.sources.max_completion_tokens).toBe("unknown: bounded by the context window; 16384 held and sent when max_tokens is absent");
    expect(endpoint.maxCompletionTokens).toBe(endpoint.contextLength);
    expect(endpoint.outputLimitKnown).toBe(false);
    expect(endpoint.defaultOutputTokens).toBe(16_384);
    expect(endpoint.sources.input_modalities).toMatch(/^unknown/);
    expect(endpoint.inputModalities).toBeUndefined();
  });
});

describe("merging the operator's configuration", () => {
  it("adds an OpenAI-compatible provider and a model on it", () => {
    const catalog = buildCatalog({
      providers: { ollama: { protocol: "openai", base_url: "http://127.0.0.1:11434/v1/", api_key: "none" } },
      models: [{ id: "local/llama3", context_length: 8192, endpoints: [{ provider: "ollama", model: "llama3", pricing: { prompt: "0", completion: "0" } }] }],
    });
    const model = catalog.models.get("local/llama3")!;
    expect(model.endpoints[0]!.provider.baseUrl).toBe("http://127.0.0.1:11434/v1");
    expect(model.endpoints[0]!.pricing.promptNanoPerMillion).toBe(0n);
    expect(catalog.models.has("openai/gpt-4o")).toBe(true);
  });

  it("knows which providers serve raw prompts at /completions: Together and Fireworks shipped, any other when configured", () => {
    const catalog = buildCatalog({
      includeDefault: false,
      providers: {
        vllm: { protocol: "openai", base_url: "http://127.0.0.1:8000/v1", api_key: "none", text_completions: true },
        together: { text_completions: false },
      },
    });
    const serving = [...catalog.providers.values()].filter((provider) => provider.textCompletions).map((provider) => provider.slug);
    expect(serving.sort()).toEqual(["fireworks", "vllm"]);
    expect(buildCatalog({ includeDefault: false }).providers.get("together")!.textCompletions).toBe(true);
  });

  it("overrides a shipped endpoint's price and sets a key on a shipped provider", () => {
    const catalog = buildCatalog({
      providers: { openai: { api_key: "sk-test" } },
      models: [{ id: "openai/gpt-4o-mini", endpoints: [{ provider: "openai", model: "gpt-4o-mini", pricing: { prompt: "0.0000001", completion: "0.0000002" } }] }],
    });
    const model = catalog.models.get("openai/gpt-4o-mini")!;
    expect(model.endpoints).toHaveLength(1);
    expect(model.endpoints[0]!.pricing.promptNanoPerMillion).toBe(100_000_000n);
    expect(model.endpoints[0]!.provider.apiKey).toBe("sk-test");
    expect(model.endpoints[0]!.provider.baseUrl).toBe("https://api.openai.com/v1");
    expect(model.contextLength).toBe(128_000);
  });

  it("adds a second endpoint to a shipped model", () => {
    const catalog = buildCatalog({
      providers: { mygw: { protocol: "openai", base_url: "https://gw.example/v1", api_key: "k" } },
      models: [{ id: "openai/gpt-4o", endpoints: [{ provider: "mygw", model: "gpt-4o", pricing: { prompt: "0.000002", completion: "0.000008" } }] }],
    });
    expect(catalog.models.get("openai/gpt-4o")!.endpoints.map((e) => e.provider.slug)).toEqual(["openai", "mygw"]);
  });

  it("drops the shipped list with includeDefault: false", () => {
    const catalog = buildCatalog({
      includeDefault: false,
      providers: { vllm: { protocol: "openai", base_url: "http://localhost:8000/v1" } },
      models: [{ id: "local/qwen", endpoints: [{ provider: "vllm", model: "qwen", pricing: { prompt: "0", completion: "0" } }] }],
    });
    expect([...catalog.models.keys()]).toEqual(["local/qwen"]);
  });

  it("fails loudly, listing every bad price and unknown provider", () => {
    let error: unknown;
    try {
      buildCatalog({
        includeDefault: false,
        models: [
          { id: "a/one", endpoints: [{ provider: "openai", model: "x", pricing: { prompt: "1e-6", completion: "0.000001" } }] },
          { id: "a/two", endpoints: [{ provider: "nowhere", model: "y", pricing: { prompt: "0", completion: "0" } }] },
          { id: "a/three", endpoints: [{ provider: "openai", model: "z", pricing: { prompt: "0.0000000000000001", completion: "0" } }] },
        ],
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CatalogError);
    const problems = (error as CatalogError).problems.join("\n");
    expect(problems).toMatch(/a\/one.*pricing\.prompt.*plain decimal/);
    expect(problems).toMatch(/a\/two.*unknown provider "nowhere"/);
    expect(problems).toMatch(/a\/three.*pricing\.prompt.*decimal places/);
  });
});
