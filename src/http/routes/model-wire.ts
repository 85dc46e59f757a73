/** The catalog in OpenRouter's wire shapes (reference §3): /models entries and /endpoints. */
import { z } from "zod";
import type { Endpoint, Model } from "../../catalog/types.js";
import { byPrice } from "../../routing/order-endpoints.js";
import type { HealthSnapshot } from "../../routing/health.js";

/**
 * The parameter names OpenRouter publishes (its spec's Parameter enum). farebox's catalog may
 * name more (e.g. `user`, which gates passing the end user upstream); strict clients reject a
 * value outside this list, so the wire lists only these.
 */
const OPENROUTER_PARAMETERS: ReadonlySet<string> = new Set([
  "temperature", "top_p", "top_k", "min_p", "top_a", "frequency_penalty", "presence_penalty", "repetition_penalty",
  "max_tokens", "max_completion_tokens", "logit_bias", "logprobs", "top_logprobs", "prediction", "seed",
  "response_format", "structured_outputs", "stop", "tools", "tool_choice", "parallel_tool_calls",
  "include_reasoning", "reasoning", "reasoning_effort", "web_search_options", "verbosity",
]);

function publishedParameters(parameters: readonly string[]): string[] {
  return parameters.filter((parameter) => OPENROUTER_PARAMETERS.has(parameter));
}

function pricing(endpoint: Endpoint): z.infer<typeof pricingWire> {
  const text = endpoint.pricingText;
  return {
    prompt: text.prompt,
    completion: text.completion,
    request: text.request ?? "0",
    image: text.image ?? "0",
    ...(text.input_cache_read === undefined ? {} : { input_cache_read: text.input_cache_read }),
    ...(text.input_cache_write === undefined ? {} : { input_cache_write: text.input_cache_write }),
  };
}

/** The cheapest endpoint: the model's listed price and `top_provider`. */
function topEndpoint(model: Model): Endpoint | undefined {
  return [...model.endpoints].sort(byPrice)[0];
}

/** What a model produces: text (chat models) or embeddings (OpenRouter's output modality names). */
export function outputModalities(model: Model): string[] {
  return model.kind === "embeddings" ? ["embeddings"] : ["text"];
}

/**
 * OpenRouter's architecture object. Where no source states a model's input modalities the array
 * holds only "text" (what every chat model reads) and `input_modalities_known: false` says the
 * list is a lower bound: routing does not filter such a model out for images, files or audio.
 */
function architecture(model: Model): z.infer<typeof architectureWire> {
  const modalities = model.inputModalities ?? ["text"];
  const outputs = outputModalities(model);
  return {
    modality: `${modalities.join("+")}->${outputs.join("+")}`,
    input_modalities: modalities,
    input_modalities_known: model.inputModalities !== undefined,
    output_modalities: outputs,
    tokenizer: "Other",
    instruct_type: null,
  };
}

/** One /api/v1/models entry. */
export function modelEntry(model: Model): z.infer<typeof modelWire> {
  const top = topEndpoint(model);
  const [author, slug] = model.id.split("/");
  return {
    id: model.id,
    canonical_slug: model.id,
    hugging_face_id: null,
    name: model.name,
    created: model.created,
    description: model.description,
    context_length: model.contextLength,
    architecture: architecture(model),
    pricing: top ? pricing(top) : { prompt: "0", completion: "0", request: "0", image: "0" },
    top_provider: {
      context_length: top?.contextLength ?? model.contextLength,
      // an embedding model produces no output tokens
      max_completion_tokens: model.kind === "embeddings" ? null : (top?.maxCompletionTokens ?? null),
      is_moderated: false,
    },
    per_request_limits: null,
    supported_parameters: publishedParameters(model.supportedParameters),
    // farebox serves chat and embedding models only: no text-to-speech voices
    supported_voices: null,
    default_parameters: null,
    knowledge_cutoff: null,
    expiration_date: null,
    links: { details: `/api/v1/models/${author}/${slug}/endpoints` },
  };
}

/** One PublicEndpoint of /endpoints, with live health from our own traffic. */
export function endpointEntry(model: Model, endpoint: Endpoint, health: HealthSnapshot): z.infer<typeof endpointWire> {
  const seconds = (p: HealthSnapshot["latency30m"]) =>
    p && { p50: p.p50 / 1000, p75: p.p75 / 1000, p90: p.p90 / 1000, p99: p.p99 / 1000 };
  return {
    name: `${endpoint.provider.name}: ${model.name}`,
    model_id: model.id,
    model_name: model.name,
    provider_name: endpoint.provider.name,
    tag: endpoint.provider.slug,
    context_length: endpoint.contextLength,
    max_completion_tokens: endpoint.maxCompletionTokens,
    max_prompt_tokens: endpoint.contextLength,
    quantization: endpoint.quantization ?? null,
    pricing: pricing(endpoint),
    supported_parameters: publishedParameters(endpoint.supportedParameters),
    supports_tool_choice: endpoint.supportedParameters.includes("tool_choice"),
    supports_implicit_caching: endpoint.pricing.cacheReadNanoPerMillion !== undefined,
    status: endpoint.provider.apiKey === undefined ? -5 : 0,
    configured: endpoint.provider.apiKey !== undefined,
    price_source: endpoint.priceSource ?? null,
    price_checked: endpoint.priceChecked ?? null,
    uptime_last_5m: health.uptime5m,
    uptime_last_30m: health.uptime30m,
    uptime_last_1d: health.uptime1d,
    latency_last_30m: seconds(health.latency30m),
    throughput_last_30m: health.throughput30m,
  };
}

/** The /endpoints body. */
export function endpointsBody(model: Model, entries: z.infer<typeof endpointWire>[]): z.infer<typeof endpointsWire> {
  return {
    data: {
      id: model.id,
      name: model.name,
      created: model.created,
      description: model.description,
      architecture: architecture(model),
      endpoints: entries,
    },
  };
}

const pricingWire = z.object({
  prompt: z.string(),
  completion: z.string(),
  request: z.string(),
  image: z.string(),
  input_cache_read: z.string().optional(),
  input_cache_write: z.string().optional(),
});
const architectureWire = z.object({
  modality: z.string(),
  input_modalities: z.array(z.string()),
  input_modalities_known: z.boolean().describe("False when no source states the input modalities: the list is a lower bound"),
  output_modalities: z.array(z.string()),
  tokenizer: z.string(),
  instruct_type: z.string().nullable(),
});

/** The wire shape `modelEntry` writes (OpenRouter's Model). */
export const modelWire = z
  .object({
    id: z.string(),
    canonical_slug: z.string(),
    hugging_face_id: z.string().nullable(),
    name: z.string(),
    created: z.number(),
    description: z.string(),
    context_length: z.int(),
    architecture: architectureWire,
    pricing: pricingWire,
    top_provider: z.object({ context_length: z.int(), max_completion_tokens: z.int().nullable(), is_moderated: z.boolean() }),
    per_request_limits: z.null(),
    supported_parameters: z.array(z.string()),
    supported_voices: z.null(),
    default_parameters: z.null(),
    knowledge_cutoff: z.null(),
    expiration_date: z.null(),
    links: z.object({ details: z.string() }),
  })
  .meta({ id: "Model" });

const percentiles = z.object({ p50: z.number(), p75: z.number(), p90: z.number(), p99: z.number() });

/** The wire shape `endpointEntry` writes (OpenRouter's PublicEndpoint, with farebox's health and price source). */
export const endpointWire = z.object({
  name: z.string(),
  model_id: z.string(),
  model_name: z.string(),
  provider_name: z.string(),
  tag: z.string(),
  context_length: z.int(),
  max_completion_tokens: z.int(),
  max_prompt_tokens: z.int(),
  quantization: z.string().nullable(),
  pricing: pricingWire,
  supported_parameters: z.array(z.string()),
  supports_tool_choice: z.boolean(),
  supports_implicit_caching: z.boolean(),
  status: z.int().describe("0 when configured; -5 when the operator has no key for the provider"),
  configured: z.boolean(),
  price_source: z.string().nullable(),
  price_checked: z.string().nullable(),
  uptime_last_5m: z.number().nullable(),
  uptime_last_30m: z.number().nullable(),
  uptime_last_1d: z.number().nullable(),
  latency_last_30m: percentiles.nullable().describe("Seconds to first token"),
  throughput_last_30m: percentiles.nullable().describe("Tokens per second"),
});

/** The /endpoints body's schema. */
export const endpointsWire = z.object({
  data: z.object({
    id: z.string(),
    name: z.string(),
    created: z.number(),
    description: z.string(),
    architecture: architectureWire,
    endpoints: z.array(endpointWire),
  }),
});

/** A /models listing's schema. */
export const modelListWire = z.object({ data: z.array(modelWire), links: z.object({ next: z.string().nullable() }), total_count: z.int() });
