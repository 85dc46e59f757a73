import { describe, expect, it } from "vitest";
import { buildCatalog } from "../../src/catalog/build-catalog.js";
import { catalogReport } from "../../src/catalog/catalog-report.js";
import { PROTOCOL_PARAMETERS } from "../../src/providers/registry.js";

describe("npm run catalog's report", () => {
  const catalog = buildCatalog({
    protocolParameters: PROTOCOL_PARAMETERS,
    providers: { openai: { api_key: "sk-test" }, local: { protocol: "openai", base_url: "http://127.0.0.1:11434/v1", api_key: "none" } },
    models: [{ id: "local/qwen", context_length: 32_768, endpoints: [{ provider: "local", model: "qwen3", pricing: { prompt: "0", completion: "0" } }] }],
  });

  it("shows each endpoint's prices per million, tiers, limits, sources and key", () => {
    const report = catalogReport(catalog);
    const gpt55 = report.slice(report.indexOf("openai/gpt-5.5 —"));
    expect(gpt55).toMatch(/- openai \(gpt-5\.5\) \[key configured\]\n {6}price: in \$5, out \$30, cache read \$0\.5 per million tokens {2}\[genai-prices \(bundled\): openai\/gpt-5\.5\]/);
    expect(gpt55).toMatch(/above 271999 prompt tokens: in \$10, out \$45, cache read \$1/);
    expect(gpt55).toMatch(/max output: unknown {2}\[unknown: bounded by the context window; 16384 held and sent when max_tokens is absent\]/);
    expect(gpt55).toMatch(/input: unknown {2}\[unknown: not filtered, the upstream decides\]/);
    expect(gpt55).toMatch(/parameters: 22 {2}\[what the openai adapter sends \+ providers\.openai\.extra_parameters\]/);
    expect(report).toMatch(/local\/qwen — local\/qwen\n {2}- local \(qwen3\) \[key configured\]\n {6}price: in \$0, out \$0 per million tokens {2}\[config\]/);
    expect(report).toMatch(/parameters: 15 {2}\[what the openai adapter sends\]/);
    expect(report).toMatch(/\n\d{3} models, \d{3} endpoints\n$/);
  });

  it("--missing lists only models with an endpoint lacking a key or a price", () => {
    const report = catalogReport(catalog, { missing: true });
    expect(report).toMatch(/anthropic\/claude-opus-4\.7\n {2}- anthropic: no key \(set providers\.anthropic\.api_key\)/);
    expect(report).not.toMatch(/^openai\/gpt-5\.5$/m);
    expect(report).not.toMatch(/^local\/qwen$/m);
  });
});
