/**
 * The hard filters a model's endpoints go through, in order, each with the reason a user sees
 * when it leaves nothing: known price, configured key, allow/deny lists, data policy, quantization,
 * image, document and audio input, tool use, required parameters, max price, output length, context
 * window. Where an operator setting would change the outcome, the message and `metadata.setting` name it.
 */
import type { Endpoint, InputModality, Model } from "../catalog/types.js";
import { AppError, notFound } from "../domain/errors.js";
import { providerMatches } from "./preferences.js";
import type { RoutingRequest } from "./types.js";

/** One step of the funnel: its name and how many endpoints were left after it. */
export interface FunnelStep {
  step: string;
  endpoint_count: number;
}

/** Eligible endpoints of one model, or the error explaining why there are none (its metadata holds the funnel). */
export interface FilterResult {
  endpoints: readonly Endpoint[];
  error: AppError | undefined;
}

interface Filter {
  step: string;
  keep: (endpoint: Endpoint, request: RoutingRequest) => boolean;
  fail: (model: Model, request: RoutingRequest, before: readonly Endpoint[]) => AppError;
}

const constraint = (model: Model, message: string, excludedBy: string, extra: Record<string, unknown> = {}) =>
  notFound(message, {
    availability: { code: "constraint_filtered", retryable: false, requested_models: [model.id], excluded_by: excludedBy },
    ...extra,
  });

/**
 * Whether an endpoint may receive input of this kind: yes when its modalities are unknown (no
 * source states them; the upstream decides, and its rejection is handled like any upstream 4xx),
 * else only when a source lists it.
 */
function reads(endpoint: Endpoint, modality: InputModality): boolean {
  return endpoint.inputModalities === undefined || endpoint.inputModalities.includes(modality);
}

/** Whether the request carries input that `endpoint` is not known to read (its modalities are unknown). */
export function inputUnverified(endpoint: Endpoint, request: RoutingRequest): boolean {
  return endpoint.inputModalities === undefined && (request.hasImages || request.hasFiles === true || request.hasAudio === true);
}

/** Whether an entry of `list` (provider.only / provider.ignore) names the endpoint's provider. */
function listsProvider(list: readonly string[], endpoint: Endpoint): boolean {
  return list.some((entry) => providerMatches(entry, endpoint.provider.slug, endpoint.provider.name));
}

/** The config file settings that decide what an endpoint can do. */
const SETTING = {
  parameters: "models[].supported_parameters (or models[].endpoints[].supported_parameters)",
  modalities: "models[].input_modalities (or models[].endpoints[].input_modalities)",
  maxOutput: "models[].max_completion_tokens (or models[].endpoints[].max_completion_tokens)",
  context: "models[].context_length (or models[].endpoints[].context_length)",
} as const;

const bySetting = (model: Model, message: string, excludedBy: string, setting: string) =>
  constraint(model, `${message} The operator can change this with ${setting} in the farebox config file.`, excludedBy, { setting });

const FILTERS: readonly Filter[] = [
  {
    step: "priced",
    keep: (endpoint) => endpoint.priced,
    fail: (model, _request, before) => {
      const slugs = [...new Set(before.map((endpoint) => endpoint.provider.slug))];
      return notFound(
        `Model ${model.id} was found on ${slugs.join(", ")} but has no known price, so farebox will not serve it. ` +
          `The operator can price it under models[].endpoints[].pricing in the farebox config file, or mark the provider free (${slugs.map((slug) => `providers.${slug}.pricing: free`).join(" or ")}).`,
        { availability: { code: "unpriced", retryable: false, requested_models: [model.id], affected_providers: slugs }, setting: "models[].endpoints[].pricing" },
      );
    },
  },
  {
    step: "configured",
    // an operator key serves everyone; an account's own key (BYOK) serves that account
    keep: (endpoint, request) => endpoint.provider.apiKey !== undefined || request.ownKeyProviders?.has(endpoint.provider.slug) === true,
    fail: (model, _request, before) => {
      const slugs = [...new Set(before.map((endpoint) => endpoint.provider.slug))];
      const keys = slugs.map((slug) => `providers.${slug}.api_key`).join(" or ");
      // a setting, not a passing outage: 404 "no endpoints" (OpenRouter's status) so clients do not retry
      return notFound(`No endpoints found for ${model.id}: no provider has an API key configured. Set ${keys} in the farebox config file, or store your own key (PUT /api/v1/byok/{provider}).`, {
        availability: {
          code: "no_endpoints",
          retryable: false,
          requested_models: [model.id],
          affected_providers: slugs,
          excluded_by: "provider_api_key",
          settings: slugs.map((slug) => `providers.${slug}.api_key`),
        },
      });
    },
  },
  {
    step: "allowed_providers",
    keep: (endpoint, request) => {
      const { only, ignore } = request.provider;
      return (!only || listsProvider(only, endpoint)) && (!ignore || !listsProvider(ignore, endpoint));
    },
    fail: (model) => constraint(model, `No endpoints found for ${model.id} among the allowed providers (provider.only / provider.ignore).`, "allowed_providers"),
  },
  {
    step: "data_policy",
    keep: (endpoint, request) => request.provider.dataCollection === "allow" || !endpoint.provider.collectsData,
    fail: (model) => constraint(model, `No endpoints found for ${model.id} matching your data policy (provider.data_collection: deny).`, "data_policy:training"),
  },
  {
    step: "quantization",
    keep: (endpoint, request) => {
      const wanted = request.provider.quantizations;
      return !wanted || wanted.includes(endpoint.quantization?.toLowerCase() ?? "unknown");
    },
    fail: (model, request) =>
      constraint(model, `No endpoints found for ${model.id} with quantization ${request.provider.quantizations?.join(" or ")} (provider.quantizations).`, "quantizations"),
  },
  {
    step: "image_input",
    keep: (endpoint, request) => !request.hasImages || reads(endpoint, "image"),
    fail: (model) => bySetting(model, `No endpoints found for ${model.id} that support image input.`, "input_modalities", SETTING.modalities),
  },
  {
    step: "file_input",
    keep: (endpoint, request) => request.hasFiles !== true || reads(endpoint, "file"),
    fail: (model) =>
      bySetting(model, `No endpoints found for ${model.id} that support file input (PDF): none lists "file" in its input_modalities.`, "input_modalities", SETTING.modalities),
  },
  {
    step: "audio_input",
    keep: (endpoint, request) => request.hasAudio !== true || reads(endpoint, "audio"),
    fail: (model) =>
      bySetting(model, `No endpoints found for ${model.id} that support audio input: none lists "audio" in its input_modalities.`, "input_modalities", SETTING.modalities),
  },
  {
    step: "tools",
    keep: (endpoint, request) => !request.hasTools || endpoint.supportedParameters.includes("tools"),
    fail: (model) =>
      bySetting(model, `No endpoints found for ${model.id} that support tool use (none lists "tools" in its supported_parameters).`, "require_parameters", SETTING.parameters),
  },
  {
    step: "require_parameters",
    keep: (endpoint, request) =>
      !request.provider.requireParameters || request.requestedParameters.every((p) => endpoint.supportedParameters.includes(p)),
    fail: (model, request) =>
      bySetting(model, `No endpoints found for ${model.id} that can handle all requested parameters (${request.requestedParameters.join(", ")}).`, "require_parameters", SETTING.parameters),
  },
  {
    step: "max_price",
    keep: (endpoint, request) => {
      const max = request.provider.maxPrice;
      if (!max) return true;
      const p = endpoint.pricing;
      return (
        (max.promptNanoPerMillion === undefined || p.promptNanoPerMillion <= max.promptNanoPerMillion) &&
        (max.completionNanoPerMillion === undefined || p.completionNanoPerMillion <= max.completionNanoPerMillion) &&
        (max.requestNano === undefined || (p.requestNano ?? 0n) <= max.requestNano) &&
        (max.imageNano === undefined || (p.imageNano ?? 0n) <= max.imageNano)
      );
    },
    fail: (model) => constraint(model, `No endpoints found for ${model.id} within provider.max_price.`, "max_price"),
  },
  {
    step: "max_tokens",
    keep: (endpoint, request) => request.maxTokens === undefined || request.maxTokens <= endpoint.maxCompletionTokens,
    fail: (model, request, before) =>
      bySetting(
        model,
        `No endpoints found for ${model.id} that can produce max_tokens=${request.maxTokens}; the largest output is ${Math.max(...before.map((e) => e.maxCompletionTokens))} tokens.`,
        "max_tokens",
        SETTING.maxOutput,
      ),
  },
  {
    step: "context_length",
    keep: (endpoint, request) => request.promptTokensEstimate + (request.maxTokens ?? 0) <= endpoint.contextLength,
    fail: (model, request, before) =>
      new AppError(
        `This request needs about ${request.promptTokensEstimate + (request.maxTokens ?? 0)} tokens (prompt estimate ${request.promptTokensEstimate}` +
          `${request.maxTokens === undefined ? "" : ` + max_tokens ${request.maxTokens}`}), more than ${model.id}'s context window of ${Math.max(...before.map((e) => e.contextLength))}.`,
        { httpStatus: 400, errorType: "context_length_exceeded", metadata: { requested_models: [model.id] } },
      ),
  },
];

/**
 * How many endpoints were left after each filter of the current call (index 0: the catalog's),
 * the funnel an error reports. Filtering is synchronous, so one buffer serves every call: a
 * request that passes (nearly all) builds no funnel objects; heap sampling at 500 requests/s
 * measured the funnel and a copied list per filter at ≈0.9 KB of a request's allocations.
 */
const funnelCounts = new Array<number>(FILTERS.length + 1).fill(0);

/** Runs every filter over the model's endpoints; stops at the first one that leaves none. */
export function filterEndpoints(model: Model, request: RoutingRequest): FilterResult {
  let endpoints: readonly Endpoint[] = model.endpoints;
  if (endpoints.length === 0) {
    return { endpoints, error: notFound(`Model ${model.id} has no endpoints.`, { availability: { code: "no_endpoints" } }) };
  }
  funnelCounts[0] = endpoints.length;
  for (let index = 0; index < FILTERS.length; index++) {
    const filter = FILTERS[index]!;
    const kept = keptBy(filter, endpoints, request);
    funnelCounts[index + 1] = kept.length;
    if (kept.length === 0) {
      const error = filter.fail(model, request, endpoints);
      Object.assign(error.metadata, { routing_funnel: funnelUpTo(index), failed_routing_step: filter.step });
      return { endpoints: [], error };
    }
    endpoints = kept;
  }
  return { endpoints, error: undefined };
}

/** The endpoints `filter` keeps: the same list when it keeps them all (the usual case). */
function keptBy(filter: Filter, endpoints: readonly Endpoint[], request: RoutingRequest): readonly Endpoint[] {
  let kept: Endpoint[] | undefined;
  for (let index = 0; index < endpoints.length; index++) {
    const endpoint = endpoints[index]!;
    if (filter.keep(endpoint, request)) kept?.push(endpoint);
    else kept ??= endpoints.slice(0, index);
  }
  return kept ?? endpoints;
}

/** The funnel through the filter at `failedIndex`, as the error's metadata reports it. */
function funnelUpTo(failedIndex: number): FunnelStep[] {
  const funnel: FunnelStep[] = [{ step: "catalog", endpoint_count: funnelCounts[0]! }];
  for (let index = 0; index <= failedIndex; index++) funnel.push({ step: FILTERS[index]!.step, endpoint_count: funnelCounts[index + 1]! });
  return funnel;
}
