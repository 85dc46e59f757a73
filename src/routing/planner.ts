/**
 * The pure router: request + catalog + health → ordered attempts. No I/O, no clock, no
 * randomness of its own (both come in the context), so every decision is reproducible.
 *
 * Models are tried in the order `model`, then `models` (duplicates dropped); within a model the
 * endpoints pass the hard filters and are ordered by order-endpoints. `farebox/auto` (alias
 * `openrouter/auto`) expands to every catalog model that passes the filters, ordered by
 * `provider.sort` (default price), keeping the first few as fallbacks. Suffixes `:nitro` and
 * `:floor` switch the sort to throughput and price.
 */
import type { Catalog, Endpoint, Model } from "../catalog/types.js";
import { badRequest, notFound, type AppError } from "../domain/errors.js";
import { filterEndpoints, inputUnverified } from "./endpoint-filters.js";
import { orderEndpoints, sortBy } from "./order-endpoints.js";
import type { PlannedAttempt, PlannerContext, RoutePlan, RoutingRequest, SortBy } from "./types.js";

/** Model ids that ask the router to choose. */
export const AUTO_MODELS: readonly string[] = ["farebox/auto", "openrouter/auto"];
/** How many models an auto-routed request may fall back through. */
export const AUTO_MODEL_LIMIT = 3;
const MAX_MODELS = 10;

const VARIANT_SORT: Readonly<Record<string, SortBy>> = { nitro: "throughput", floor: "price" };

interface ResolvedModel {
  model: Model;
  sort: SortBy | undefined;
}

/** Plans the attempts for `request`; throws the AppError a client should see when none exist. */
export function planRoute(request: RoutingRequest, catalog: Catalog, context: PlannerContext): RoutePlan {
  const requested = requestedModels(request);

  const attempts: PlannedAttempt[] = [];
  const errors: AppError[] = [];
  let router: string | undefined;
  for (const id of requested) {
    const auto = AUTO_MODELS.includes(id.toLowerCase());
    if (auto) {
      router ??= id;
      const planned = planAuto(request, catalog, context);
      if (planned.error) errors.push(planned.error);
      for (const attempt of planned.attempts) pushUnique(attempts, attempt);
      continue;
    }
    const resolved = resolveModel(id, catalog);
    const kindError = wrongKind(resolved.model, request);
    if (kindError) {
      errors.push(kindError);
      continue;
    }
    const sort = resolved.sort ?? request.provider.sort;
    const scoped: RoutingRequest = sort ? { ...request, provider: { ...request.provider, sort } } : request;
    const filtered = filterEndpoints(resolved.model, scoped);
    if (filtered.error) {
      errors.push(filtered.error);
      continue;
    }
    for (const endpoint of orderEndpoints(filtered.endpoints, scoped, context)) pushUnique(attempts, attemptOf(resolved.model, endpoint, request));
  }
  if (attempts.length === 0) {
    const first = errors[0] ?? notFound("No endpoints found for this request.");
    if (errors.length > 1) first.metadata.model_errors = errors.map((e) => ({ code: e.httpStatus, message: e.message }));
    throw first;
  }
  const sort = request.provider.sort;
  if (sort && request.provider.partition === "none") return { attempts: acrossModels(attempts, sort, context), router };
  return { attempts, router };
}

/**
 * `model`, then `models`, blank ids and repeats dropped; 400 when none is left or more than
 * MAX_MODELS are. Built without the copies a Set and filter make: the planner's own allocations
 * were ≈3.5 KB of a request's (heap sampling at 500 requests/s), most of them such lists.
 */
function requestedModels({ model, models }: RoutingRequest): string[] {
  const ids: string[] = isModelId(model) ? [model] : [];
  for (const id of models ?? []) {
    if (!isModelId(id) || ids.includes(id)) continue;
    // checked as the list grows, so `includes` never scans more than MAX_MODELS ids
    if (ids.length === MAX_MODELS) throw badRequest(`At most ${MAX_MODELS} models may be listed.`, { param: "models" });
    ids.push(id);
  }
  if (ids.length === 0) throw badRequest("A model is required: set `model` (or `models`).", { param: "model" });
  return ids;
}

function isModelId(id: string | undefined): id is string {
  return id !== undefined && id.trim() !== "";
}

/** `sort.partition: "none"`: every listed model's endpoints in one order under the sort. */
function acrossModels(attempts: PlannedAttempt[], sort: SortBy, context: PlannerContext): PlannedAttempt[] {
  const ordered = sortBy(attempts.map((attempt) => attempt.endpoint), sort, context.health, context.nowMs);
  return ordered.map((endpoint) => attempts.find((attempt) => attempt.endpoint === endpoint)!);
}

/** Looks a model up by id, honouring `:nitro` / `:floor`; unknown ids answer 404. */
export function resolveModel(id: string, catalog: Catalog): ResolvedModel {
  const exact = catalog.models.get(id);
  if (exact) return { model: exact, sort: undefined };
  const colon = id.lastIndexOf(":");
  if (colon > 0) {
    const base = catalog.models.get(id.slice(0, colon));
    const sort = VARIANT_SORT[id.slice(colon + 1)];
    if (base && sort) return { model: base, sort };
  }
  throw notFound(`Model ${id} is not in this farebox catalog. See GET /api/v1/models for the available ids.`, {
    param: "model",
    availability: { code: "model_not_found", retryable: false, requested_models: [id] },
  });
}

/** A 400 naming the right route when the model is of another kind than the request (chat vs embeddings). */
function wrongKind(model: Model, request: RoutingRequest): AppError | undefined {
  const wanted = request.kind ?? "chat";
  if (model.kind === wanted) return undefined;
  const message =
    model.kind === "embeddings"
      ? `${model.id} is an embedding model: call POST /api/v1/embeddings with it, not a chat route.`
      : `${model.id} is not an embedding model: see GET /api/v1/embeddings/models for the models /embeddings serves.`;
  return badRequest(message, { param: "model", requested_models: [model.id] });
}

function attemptOf(model: Model, endpoint: Endpoint, request: RoutingRequest): PlannedAttempt {
  return inputUnverified(endpoint, request) ? { model, endpoint, inputUnverified: true } : { model, endpoint };
}

function planAuto(request: RoutingRequest, catalog: Catalog, context: PlannerContext): { attempts: PlannedAttempt[]; error?: AppError } {
  const sort = request.provider.sort ?? "price";
  const candidates: { model: Model; best: Endpoint; attempts: PlannedAttempt[] }[] = [];
  for (const model of [...catalog.models.values()].sort((a, b) => a.id.localeCompare(b.id))) {
    if (wrongKind(model, request)) continue;
    const filtered = filterEndpoints(model, request);
    if (filtered.error) continue;
    const ordered = orderEndpoints(filtered.endpoints, request, context);
    const best = sortBy(filtered.endpoints, sort, context.health, context.nowMs)[0]!;
    candidates.push({ model, best, attempts: ordered.map((endpoint) => attemptOf(model, endpoint, request)) });
  }
  if (candidates.length === 0) {
    return {
      attempts: [],
      error: notFound("No model in the catalog can serve this request (context window, image input, tools, structured output, price or provider filters).", {
        availability: { code: "no_endpoints", retryable: false, requested_models: ["farebox/auto"] },
      }),
    };
  }
  // Rank models by their best endpoint under the chosen sort.
  const bestFirst = sortBy(candidates.map((c) => c.best), sort, context.health, context.nowMs);
  const rank = new Map(bestFirst.map((endpoint, index) => [endpoint.modelId, index]));
  candidates.sort((a, b) => (rank.get(a.model.id) ?? 0) - (rank.get(b.model.id) ?? 0));
  return { attempts: candidates.slice(0, AUTO_MODEL_LIMIT).flatMap((c) => c.attempts) };
}

/** Adds `attempt` unless an attempt on its endpoint is planned already. */
function pushUnique(into: PlannedAttempt[], attempt: PlannedAttempt): void {
  for (const planned of into) if (planned.endpoint.id === attempt.endpoint.id) return;
  into.push(attempt);
}
