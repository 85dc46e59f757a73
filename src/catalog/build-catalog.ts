/**
 * Builds the immutable catalog from the shipped defaults and the operator's configuration:
 * config `providers` add upstreams or override the shipped ones field by field (keys live only
 * here); config `models` add models or override shipped ones (model fields replace, endpoints
 * replace the shipped endpoint of the same provider and add the others);
 * `includeDefault: false` drops the shipped models. Prices are parsed into exact integers and
 * every problem is reported at once.
 */
import type { Pricing } from "../domain/charge.js";
import { usdPerTokenToNanoPerMillion, usdToNano } from "../domain/money.js";
import { DEFAULT_MODELS } from "./default-models.js";
import { DEFAULT_PROVIDERS } from "./default-providers.js";
import type { Catalog, CatalogInput, Endpoint, EndpointInput, Model, ModelInput, PricingInput, Provider, ProviderInput } from "./types.js";

const DEFAULT_CONTEXT = 8_192;
const DEFAULT_MAX_OUTPUT = 4_096;

/** Thrown when the catalog input is unusable; `problems` lists each with its path. */
export class CatalogError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid model catalog:\n  - ${problems.join("\n  - ")}`);
    this.name = "CatalogError";
    this.problems = problems;
  }
}

/** Merges shipped defaults with `input` and parses every price; throws CatalogError listing all problems. */
export function buildCatalog(input: CatalogInput = {}): Catalog {
  const problems: string[] = [];
  const providers = mergeProviders(input.providers ?? {}, problems);
  const modelInputs = mergeModels(input.includeDefault === false ? [] : DEFAULT_MODELS, input.models ?? []);
  const models = new Map<string, Model>();
  modelInputs.forEach((modelInput, index) => {
    const model = buildModel(modelInput, providers, `models[${index}] (${modelInput.id})`, problems);
    if (model) models.set(model.id, model);
  });
  if (problems.length > 0) throw new CatalogError(problems);
  return { models, providers };
}

function mergeProviders(configured: Record<string, ProviderInput>, problems: string[]): Map<string, Provider> {
  const out = new Map<string, Provider>();
  const slugs = new Set([...Object.keys(DEFAULT_PROVIDERS), ...Object.keys(configured)]);
  for (const slug of slugs) {
    const merged: ProviderInput = { ...DEFAULT_PROVIDERS[slug], ...stripUndefined(configured[slug] ?? {}) };
    if (!merged.base_url) problems.push(`providers.${slug}.base_url is required`);
    const apiKey = merged.api_key?.trim();
    out.set(slug, {
      slug,
      name: merged.name ?? slug,
      protocol: merged.protocol ?? "openai",
      baseUrl: (merged.base_url ?? "").replace(/\/+$/, ""),
      apiKey: apiKey ? apiKey : undefined,
      collectsData: merged.data_collection !== undefined ? merged.data_collection === "allow" : (merged.collects_data ?? false),
      headers: { ...merged.headers },
    });
  }
  return out;
}

function mergeModels(defaults: readonly ModelInput[], configured: readonly ModelInput[]): ModelInput[] {
  const byId = new Map<string, ModelInput>(defaults.map((model) => [model.id, model]));
  for (const override of configured) {
    const base = byId.get(override.id);
    if (!base) {
      byId.set(override.id, override);
      continue;
    }
    const endpoints = [...(base.endpoints ?? [])];
    for (const endpoint of override.endpoints ?? []) {
      const at = endpoints.findIndex((existing) => existing.provider === endpoint.provider);
      if (at >= 0) endpoints[at] = endpoint;
      else endpoints.push(endpoint);
    }
    byId.set(override.id, { ...base, ...stripUndefined(override), endpoints });
  }
  return [...byId.values()];
}

function buildModel(input: ModelInput, providers: Map<string, Provider>, path: string, problems: string[]): Model | undefined {
  if (!/^[\w.-]+\/[\w.:-]+$/.test(input.id)) {
    problems.push(`${path}: id must look like "author/slug"`);
    return undefined;
  }
  const endpoints: Endpoint[] = [];
  (input.endpoints ?? []).forEach((endpointInput, index) => {
    const endpoint = buildEndpoint(input, endpointInput, providers, `${path}.endpoints[${index}]`, problems);
    if (endpoint) endpoints.push(endpoint);
  });
  if ((input.endpoints ?? []).length === 0) problems.push(`${path}: needs at least one endpoint`);
  const contextLength = input.context_length ?? Math.max(DEFAULT_CONTEXT, ...endpoints.map((e) => e.contextLength));
  return {
    id: input.id,
    name: input.name ?? input.id,
    description: input.description ?? "",
    created: input.created ?? 0,
    contextLength,
    inputModalities: input.input_modalities ?? ["text"],
    supportedParameters: [...new Set(endpoints.flatMap((e) => e.supportedParameters))],
    endpoints,
  };
}

function buildEndpoint(
  model: ModelInput,
  input: EndpointInput,
  providers: Map<string, Provider>,
  path: string,
  problems: string[],
): Endpoint | undefined {
  const provider = providers.get(input.provider);
  if (!provider) {
    problems.push(`${path}: unknown provider "${input.provider}" (add it under providers)`);
    return undefined;
  }
  if (!input.model) problems.push(`${path}.model is required`);
  const pricing = parsePricing(input.pricing, `${path}.pricing`, problems);
  if (!pricing) return undefined;
  const contextLength = input.context_length ?? model.context_length ?? DEFAULT_CONTEXT;
  const maxCompletionTokens = input.max_completion_tokens ?? model.max_completion_tokens ?? Math.min(DEFAULT_MAX_OUTPUT, contextLength);
  for (const [name, value] of [["context_length", contextLength], ["max_completion_tokens", maxCompletionTokens]] as const) {
    if (!Number.isSafeInteger(value) || value <= 0) problems.push(`${path}.${name} must be a positive integer`);
  }
  return {
    id: `${model.id}@${provider.slug}`,
    modelId: model.id,
    provider,
    upstreamModel: input.model,
    pricing,
    pricingText: { ...input.pricing },
    contextLength,
    maxCompletionTokens,
    inputModalities: input.input_modalities ?? model.input_modalities ?? ["text"],
    supportedParameters: input.supported_parameters ?? model.supported_parameters ?? ["max_tokens", "temperature", "top_p", "stop"],
    quantization: input.quantization,
    priceSource: input.price_source,
    priceChecked: input.price_checked,
  };
}

/** Parses OpenRouter's USD-per-token strings into exact integers; undefined (with problems) when any fails. */
export function parsePricing(input: PricingInput | undefined, path: string, problems: string[]): Pricing | undefined {
  if (!input) {
    problems.push(`${path} is required`);
    return undefined;
  }
  const before = problems.length;
  const perToken = (key: keyof PricingInput, required: boolean): bigint | undefined => {
    const text = input[key];
    if (text === undefined) {
      if (required) problems.push(`${path}.${key} is required`);
      return undefined;
    }
    try {
      const value = key === "request" || key === "image" ? usdToNano(String(text)) : usdPerTokenToNanoPerMillion(String(text));
      if (value < 0n) problems.push(`${path}.${key} must not be negative`);
      return value;
    } catch (error) {
      problems.push(`${path}.${key}: ${(error as Error).message}`);
      return undefined;
    }
  };
  const prompt = perToken("prompt", true);
  const completion = perToken("completion", true);
  const cacheRead = perToken("input_cache_read", false);
  const cacheWrite = perToken("input_cache_write", false);
  const request = perToken("request", false);
  const image = perToken("image", false);
  if (problems.length > before || prompt === undefined || completion === undefined) return undefined;
  return {
    promptNanoPerMillion: prompt,
    completionNanoPerMillion: completion,
    ...(cacheRead === undefined ? {} : { cacheReadNanoPerMillion: cacheRead }),
    ...(cacheWrite === undefined ? {} : { cacheWriteNanoPerMillion: cacheWrite }),
    ...(request === undefined ? {} : { requestNano: request }),
    ...(image === undefined ? {} : { imageNano: image }),
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
