/**
 * An endpoint's default supported_parameters are what its protocol's adapter declares it can send;
 * they are a promise to clients (and the filter behind provider.require_parameters): for every
 * Anthropic and Gemini endpoint of the shipped catalog, each parameter it claims must change what
 * its adapter sends upstream.
 */
import { describe, expect, it } from "vitest";
import { buildCatalog } from "../../src/catalog/build-catalog.js";
import { PROTOCOL_PARAMETERS } from "../../src/providers/registry.js";
import { toAnthropicBody } from "../../src/providers/anthropic/request.js";
import { toGeminiBody } from "../../src/providers/gemini/request.js";
import type { AdapterContext, ChatRequest } from "../../src/providers/spec.js";

const weather = { type: "function" as const, function: { name: "get_weather", parameters: { type: "object", properties: {} } } };
const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false };

/** For each parameter: a request without it, and the same request with it. */
const EXERCISE: Record<string, [Partial<ChatRequest>, Partial<ChatRequest>]> = {
  temperature: [{}, { temperature: 0.5 }],
  top_p: [{}, { top_p: 0.5 }],
  top_k: [{}, { top_k: 40 }],
  stop: [{}, { stop: ["END"] }],
  seed: [{}, { seed: 7 }],
  frequency_penalty: [{}, { frequency_penalty: 0.5 }],
  presence_penalty: [{}, { presence_penalty: 0.5 }],
  max_tokens: [{}, { max_tokens: 100 }],
  max_completion_tokens: [{}, { max_tokens: 100 }],
  tools: [{}, { tools: [weather] }],
  tool_choice: [{ tools: [weather] }, { tools: [weather], tool_choice: "required" }],
  parallel_tool_calls: [{ tools: [weather] }, { tools: [weather], parallel_tool_calls: false }],
  response_format: [{}, { response_format: { type: "json_object" } }],
  structured_outputs: [
    { response_format: { type: "json_object" } },
    { response_format: { type: "json_schema", json_schema: { name: "city", strict: true, schema } } },
  ],
  reasoning: [{ max_tokens: 32_000 }, { max_tokens: 32_000, reasoning: { effort: "high" } }],
};

const BUILDERS: Record<string, (request: ChatRequest, context: AdapterContext) => Record<string, unknown>> = {
  anthropic: (request, context) => toAnthropicBody(request, context, false),
  gemini: (request, context) => toGeminiBody(request, context),
};

const catalog = buildCatalog({ protocolParameters: PROTOCOL_PARAMETERS });
// embedding models claim the embeddings request's parameters (`dimensions`), covered by test/http/embeddings.test.ts
const chatModels = [...catalog.models.values()].filter((model) => model.kind === "chat");
const endpoints = chatModels.flatMap((model) =>
  model.endpoints
    .filter((endpoint) => endpoint.provider.protocol in BUILDERS)
    .map((endpoint) => ({
      label: `${model.id} on ${endpoint.provider.slug}`,
      protocol: endpoint.provider.protocol,
      upstreamModel: endpoint.upstreamModel,
      claims: endpoint.supportedParameters,
    })),
);

describe("claimed parameters of the shipped Anthropic and Gemini endpoints", () => {
  it("covers both protocols", () => {
    expect(new Set(endpoints.map((e) => e.protocol))).toEqual(new Set(["anthropic", "gemini"]));
  });

  it.each(endpoints)("$label sends every parameter it claims", ({ protocol, upstreamModel, claims }) => {
    const build = BUILDERS[protocol]!;
    const context: AdapterContext = { apiKey: "k", baseUrl: "http://upstream", timeouts: { connectMs: 1, firstByteMs: 1, idleMs: 1 }, supportedParameters: claims };
    const unsent = claims.filter((parameter) => {
      const pair = EXERCISE[parameter];
      if (!pair) return true;
      const [without, withIt] = pair.map((extra) => build({ model: upstreamModel, messages: [{ role: "user", content: "Hi" }], ...extra }, context));
      return JSON.stringify(without) === JSON.stringify(withIt);
    });
    expect(unsent).toEqual([]);
  });
});
