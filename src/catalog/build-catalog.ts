/**
 * Builds the immutable catalog from three layers, each overriding the one before: the shipped
 * models (built from the price database, see database-models.ts), the models discovery found on
 * `models: auto` providers, and the operator's config file. Config `providers` add upstreams or
 * override the shipped ones field by field (keys live only here); a model of a later layer
 * replaces the fields it sets and replaces the endpoint of the same provider, adding the others;
 * `includeDefault: false` drops the shipped models. Prices are parsed into exact integers and
 * every problem is reported at once.
 */
import type { PriceTier, Pricing } from "../domain/charge.js";
import { usdPerTokenToNanoPerMillion, usdToNano } from "../domain/money.js";
import { databaseModels } from "./database-models.js";
import { DEFAULT_PROVIDERS } from "./default-providers.js";
import { discoveredModels } from "./discovered-models.js";
import { embeddingModels } from "./embedding-models.js";
import { bundledPriceData } from "./price-database.js";
import type { Catalog, CatalogInput, Endpoint, EndpointInput, EndpointSources, InputModality, Model, ModelInput, PricingInput, Provider, ProviderInput } from "./types.js";

const DEFAULT_CONTEXT = 8_192;
/** Routing's assumption for a model no source gives a context window for (stated as such). */
export const ASSUMED_CONTEXT = 128_000;
const DEFAULT_MAX_OUTPUT = 4_096;
/**
 * Output tokens held for a request without `max_tokens` on an endpoint whose output limit no
 * source publishes (`catalog.unknown_output_limit_tokens`); sent upstream as its `max_tokens`.
 */
export const UNKNOWN_OUTPUT_LIMIT_TOKENS = 16_384;
/** What an endpoint can send when neither it, its model nor its protocol says (the oldest default). */
const BASIC_PARAMETERS = ["max_tokens", "temperature", "top_p", "stop"];

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
  const now = input.now ?? new Date();
  const priceData = input.priceData ?? bundledPriceData([...providers.values()].flatMap((p) => (p.priceDatabaseId ? [p.priceDatabaseId] : [])));
  const shipped = input.includeDefault === false ? [] : [...databaseModels(priceData, providers, now), ...embeddingModels(priceData, providers, now)];
  const discovered = discoveredModels(input.discovered ?? {}, providers, priceData, now);
  const modelInputs = mergeModels(mergeModels(shipped, discovered), input.models ?? []);
  const models = new Map<string, Model>();
  modelInputs.forEach((modelInput, index) => {
    const model = buildModel(modelInput, providers, input, `models[${index}] (${modelInput.id})`, problems);
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
      author: merged.author,
      priceDatabaseId: merged.price_database_id,
      discover: merged.models === "auto",
      free: merged.pricing === "free",
      extraParameters: [...(merged.extra_parameters ?? [])],
      textCompletions: merged.text_completions === true,
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
      if (at >= 0) endpoints[at] = mergeEndpoint(endpoints[at]!, endpoint);
      else endpoints.push(endpoint);
    }
    byId.set(override.id, { ...base, ...stripUndefined(override), endpoints });
  }
  return [...byId.values()];
}

/** A later layer's endpoint over an earlier one, field by field; a value it sets is attributed to it. */
function mergeEndpoint(base: EndpointInput, override: EndpointInput): EndpointInput {
  const set = stripUndefined(override);
  const sources: Partial<EndpointSources> = { ...base.sources };
  for (const key of ["pricing", "context_length", "max_completion_tokens", "input_modalities", "supported_parameters"] as const) {
    if (key in set) delete sources[key];
  }
  const priceFields = set.pricing ? { price_source: override.price_source, price_checked: override.price_checked } : {};
  return { ...base, ...set, ...priceFields, sources: { ...sources, ...override.sources } };
}

function buildModel(input: ModelInput, providers: Map<string, Provider>, catalog: CatalogInput, path: string, problems: string[]): Model | undefined {
  if (!/^[\w.-]+\/[\w.:-]+$/.test(input.id)) {
    problems.push(`${path}: id must look like "author/slug"`);
    return undefined;
  }
  const endpoints: Endpoint[] = [];
  // an endpoint whose source gives no context window takes the largest a sibling endpoint publishes
  const knownContexts = (input.endpoints ?? []).flatMap((e) => (e.context_length === undefined ? [] : [e.context_length]));
  const siblingContext = knownContexts.length > 0 ? Math.max(...knownContexts) : undefined;
  (input.endpoints ?? []).forEach((endpointInput, index) => {
    const endpoint = buildEndpoint(input, endpointInput, providers, catalog, siblingContext, `${path}.endpoints[${index}]`, problems);
    if (endpoint) endpoints.push(endpoint);
  });
  if ((input.endpoints ?? []).length === 0) problems.push(`${path}: needs at least one endpoint`);
  const contextLength = input.context_length ?? Math.max(DEFAULT_CONTEXT, ...endpoints.map((e) => e.contextLength));
  return {
    id: input.id,
    kind: input.kind ?? "chat",
    name: input.name ?? input.id,
    description: input.description ?? "",
    created: input.created ?? 0,
    contextLength,
    inputModalities: input.input_modalities ?? knownModalities(endpoints),
    supportedParameters: [...new Set(endpoints.flatMap((e) => e.supportedParameters))],
    endpoints,
  };
}

function buildEndpoint(
  model: ModelInput,
  input: EndpointInput,
  providers: Map<string, Provider>,
  catalog: CatalogInput,
  siblingContext: number | undefined,
  path: string,
  problems: string[],
): Endpoint | undefined {
  const provider = providers.get(input.provider);
  if (!provider) {
    problems.push(`${path}: unknown provider "${input.provider}" (add it under providers)`);
    return undefined;
  }
  if (!input.model) problems.push(`${path}.model is required`);
  const given = input.sources ?? {};
  // from the price database or discovery (the config file's endpoints carry no sources): what
  // they do not publish is assumed and said so, never a silent default
  const fromSource = input.sources !== undefined;
  const pricingInput = input.pricing ?? (provider.free ? FREE : undefined);
  const priced = pricingInput !== undefined;
  const pricing = priced ? parsePricing(pricingInput, `${path}.pricing`, problems) : ZERO_PRICING;
  if (!pricing) return undefined;
  const context = pick<number>(
    [input.context_length, given.context_length && given.context_length !== "unknown" ? given.context_length : "config"],
    [model.context_length, "config"],
    [siblingContext, "another provider of the same model"],
    [fromSource ? ASSUMED_CONTEXT : undefined, `unknown: ${ASSUMED_CONTEXT} assumed`],
    [DEFAULT_CONTEXT, `farebox default (${DEFAULT_CONTEXT})`],
  );
  const maxOutput = pick<number>(
    [input.max_completion_tokens, given.max_completion_tokens ?? "config"],
    [model.max_completion_tokens, "config"],
    [fromSource ? context.value : undefined, UNKNOWN_OUTPUT_SOURCE],
    [Math.min(DEFAULT_MAX_OUTPUT, context.value), `farebox default (${DEFAULT_MAX_OUTPUT})`],
  );
  for (const [name, value] of [["context_length", context.value], ["max_completion_tokens", maxOutput.value]] as const) {
    if (!Number.isSafeInteger(value) || value <= 0) problems.push(`${path}.${name} must be a positive integer`);
  }
  // only a published limit is known; farebox's own defaults are bounds it must enforce by sending them
  const outputLimitKnown = input.max_completion_tokens !== undefined || model.max_completion_tokens !== undefined;
  const unknownOutputBound = catalog.unknownOutputLimitTokens ?? UNKNOWN_OUTPUT_LIMIT_TOKENS;
  const modalities = pick<InputModality[] | null>(
    [input.input_modalities, given.input_modalities ?? "config"],
    [model.input_modalities, "config"],
    [null, "unknown: not filtered, the upstream decides"],
  );
  const protocolDefault = catalog.protocolParameters?.[provider.protocol];
  const extra = provider.extraParameters;
  const fallback = pick<readonly string[]>([protocolDefault, `what the ${provider.protocol} adapter sends`], [BASIC_PARAMETERS, "farebox default"]);
  const parameters = pick<readonly string[]>(
    [input.supported_parameters, given.supported_parameters ?? "config"],
    [model.supported_parameters, "config"],
    [
      [...new Set([...fallback.value, ...extra])],
      fallback.source + (extra.length > 0 ? ` + providers.${provider.slug}.extra_parameters` : ""),
    ],
  );
  const sources: EndpointSources = {
    pricing: priced ? (input.pricing ? (given.pricing ?? "config") : "free (providers." + provider.slug + ".pricing)") : "unknown: not served until priced",
    context_length: context.source,
    max_completion_tokens: outputLimitKnown ? maxOutput.source : `${UNKNOWN_OUTPUT_SOURCE}; ${Math.min(unknownOutputBound, maxOutput.value)} held and sent when max_tokens is absent`,
    input_modalities: modalities.source,
    supported_parameters: parameters.source,
  };
  return {
    id: `${model.id}@${provider.slug}`,
    modelId: model.id,
    provider,
    upstreamModel: input.model,
    pricing,
    priced,
    pricingText: pricingInput ? withoutTiers(pricingInput) : { prompt: "-1", completion: "-1" },
    sources,
    contextLength: context.value,
    maxCompletionTokens: maxOutput.value,
    outputLimitKnown,
    defaultOutputTokens: outputLimitKnown ? maxOutput.value : Math.min(unknownOutputBound, maxOutput.value),
    inputModalities: modalities.value === null ? undefined : [...modalities.value],
    supportedParameters: [...parameters.value],
    quantization: input.quantization,
    priceSource: input.price_source,
    priceChecked: input.price_checked,
  };
}

const UNKNOWN_OUTPUT_SOURCE = "unknown: bounded by the context window";

/** The modalities the endpoints that state theirs read (union); undefined when none states any. */
function knownModalities(endpoints: readonly Endpoint[]): Endpoint["inputModalities"] {
  const stated = endpoints.flatMap((e) => (e.inputModalities === undefined ? [] : [e.inputModalities]));
  return stated.length === 0 ? undefined : [...new Set(stated.flat())];
}

const FREE: PricingInput = { prompt: "0", completion: "0" };
const ZERO_PRICING: Pricing = { promptNanoPerMillion: 0n, completionNanoPerMillion: 0n };

/** The first candidate with a value, and the source it is attributed to. */
function pick<T>(...candidates: [T | undefined, string][]): { value: T; source: string } {
  for (const [value, source] of candidates) if (value !== undefined) return { value, source };
  throw new RangeError("pick needs a final candidate with a value");
}

function withoutTiers(pricing: PricingInput): Endpoint["pricingText"] {
  const { tiers: _tiers, ...flat } = pricing;
  return flat;
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
  const tiers = (input.tiers ?? []).map((tier, index) => parseTier(tier, `${path}.tiers[${index}]`, problems));
  if (problems.length > before || prompt === undefined || completion === undefined) return undefined;
  return {
    ...(tiers.length === 0 ? {} : { tiers: tiers.filter((tier): tier is PriceTier => tier !== undefined) }),
    promptNanoPerMillion: prompt,
    completionNanoPerMillion: completion,
    ...(cacheRead === undefined ? {} : { cacheReadNanoPerMillion: cacheRead }),
    ...(cacheWrite === undefined ? {} : { cacheWriteNanoPerMillion: cacheWrite }),
    ...(request === undefined ? {} : { requestNano: request }),
    ...(image === undefined ? {} : { imageNano: image }),
  };
}

function parseTier(input: NonNullable<PricingInput["tiers"]>[number], path: string, problems: string[]): PriceTier | undefined {
  if (!Number.isSafeInteger(input.above_prompt_tokens) || input.above_prompt_tokens < 0) {
    problems.push(`${path}.above_prompt_tokens must be a non-negative integer`);
    return undefined;
  }
  const tier: PriceTier = { abovePromptTokens: input.above_prompt_tokens };
  const fields = [
    ["prompt", "promptNanoPerMillion"],
    ["completion", "completionNanoPerMillion"],
    ["input_cache_read", "cacheReadNanoPerMillion"],
    ["input_cache_write", "cacheWriteNanoPerMillion"],
  ] as const;
  for (const [key, field] of fields) {
    const text = input[key];
    if (text === undefined) continue;
    try {
      const value = usdPerTokenToNanoPerMillion(text);
      if (value < 0n) problems.push(`${path}.${key} must not be negative`);
      tier[field] = value;
    } catch (error) {
      problems.push(`${path}.${key}: ${(error as Error).message}`);
    }
  }
  return tier;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
