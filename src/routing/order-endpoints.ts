/**
 * Orders one model's eligible endpoints (reference §7):
 * - default: endpoints without a failure in the last 30 s first, drawn one by one with weight
 *   1/price² (so an endpoint at $1 is 9× likelier to lead than one at $3), then the recently
 *   failed ones by price as fallbacks;
 * - `sort`: by price, throughput (p50, higher first) or latency (p50 TTFT, lower first), no load
 *   balancing; unmeasured endpoints follow measured ones, by price; recently failed ones last;
 * - `order`: the listed providers first in that order, then (if fallbacks are allowed) the rest;
 * - `allow_fallbacks: false`: only the listed providers, or only the first endpoint.
 * Endpoints that support structured output come first when the request asks for it (soft).
 * `preferred_min_throughput` / `preferred_max_latency` (soft): endpoints measured outside them
 * move to the end, never out. Without `order`, a conversation an endpoint served lately goes
 * back to it first while it is healthy, so its prompt cache is hit (session-affinity.ts).
 */
import type { Endpoint } from "../catalog/types.js";
import { providerMatches } from "./preferences.js";
import type { HealthView, PercentileThreshold, PlannerContext, RoutingRequest, SortBy } from "./types.js";

/** An endpoint that failed this recently is tried after the healthy ones. */
export const RECENT_FAILURE_MS = 30_000;

/** Prompt plus completion price per million tokens: the price endpoints are compared by. */
export function blendedPrice(endpoint: Endpoint): bigint {
  return endpoint.pricing.promptNanoPerMillion + endpoint.pricing.completionNanoPerMillion;
}

/** Sorts by price ascending, ties by endpoint id (deterministic). */
export function byPrice(a: Endpoint, b: Endpoint): number {
  const diff = blendedPrice(a) - blendedPrice(b);
  return diff < 0n ? -1 : diff > 0n ? 1 : a.id.localeCompare(b.id);
}

/** The ordered attempts for one model's eligible endpoints. */
export function orderEndpoints(endpoints: readonly Endpoint[], request: RoutingRequest, context: PlannerContext): readonly Endpoint[] {
  const preferences = request.provider;
  let ordered: readonly Endpoint[];
  if (preferences.order && preferences.order.length > 0) {
    const listed: Endpoint[] = [];
    for (const entry of preferences.order) {
      for (const endpoint of endpoints) {
        if (!listed.includes(endpoint) && providerMatches(entry, endpoint.provider.slug, endpoint.provider.name)) listed.push(endpoint);
      }
    }
    const rest = preferences.allowFallbacks ? defaultOrder(endpoints.filter((e) => !listed.includes(e)), request, context) : [];
    ordered = preferredFirst([...listed, ...rest], request, context);
  } else {
    ordered = stickyFirst(preferredFirst(defaultOrder(endpoints, request, context), request, context), request, context);
    if (!preferences.allowFallbacks) ordered = ordered.slice(0, 1);
  }
  return ordered;
}

const FRACTION: Record<PercentileThreshold["percentile"], number> = { p50: 0.5, p75: 0.75, p90: 0.9, p99: 0.99 };

/** Endpoints measured below preferred_min_throughput or above preferred_max_latency move to the end (unmeasured ones stay). */
function preferredFirst(ordered: readonly Endpoint[], request: RoutingRequest, context: PlannerContext): readonly Endpoint[] {
  const { preferredMinThroughput: minThroughput, preferredMaxLatency: maxLatency } = request.provider;
  if (!minThroughput && !maxLatency) return ordered;
  const { health, nowMs } = context;
  const measure = (kind: "throughput" | "ttft", endpoint: Endpoint, threshold: PercentileThreshold): number | undefined => {
    const fraction = FRACTION[threshold.percentile];
    if (kind === "throughput") {
      return health.throughputPercentile ? health.throughputPercentile(endpoint.id, nowMs, fraction) : threshold.percentile === "p50" ? health.throughputP50(endpoint.id, nowMs) : undefined;
    }
    return health.ttftPercentileMs ? health.ttftPercentileMs(endpoint.id, nowMs, fraction) : threshold.percentile === "p50" ? health.ttftP50Ms(endpoint.id, nowMs) : undefined;
  };
  const meets = (endpoint: Endpoint): boolean =>
    (minThroughput ?? []).every((threshold) => (measure("throughput", endpoint, threshold) ?? Infinity) >= threshold.value) &&
    (maxLatency ?? []).every((threshold) => (measure("ttft", endpoint, threshold) ?? 0) <= threshold.value);
  return stablePartition(ordered, meets);
}

/** The endpoint that served this conversation lately goes first, unless it failed recently. */
function stickyFirst(ordered: readonly Endpoint[], request: RoutingRequest, context: PlannerContext): readonly Endpoint[] {
  if (!request.sessionKey || !context.affinity || ordered.length < 2) return ordered;
  const stickyId = context.affinity.endpointFor(request.sessionKey(), context.nowMs);
  const sticky = ordered.find((endpoint) => endpoint.id === stickyId);
  if (!sticky) return ordered;
  const failedAt = context.health.lastFailureAtMs(sticky.id);
  if (failedAt !== undefined && context.nowMs - failedAt < RECENT_FAILURE_MS) return ordered;
  return [sticky, ...ordered.filter((endpoint) => endpoint !== sticky)];
}

/**
 * Healthy endpoints drawn (or sorted), then the recently failed ones by price. When none failed
 * lately (the usual case) the list is ordered as it is, with no partition copies: for a model with
 * one endpoint nothing at all is allocated (heap sampling at 500 requests/s measured the copies
 * and closures of this path among the planner's ≈3.5 KB per request).
 */
function defaultOrder(endpoints: readonly Endpoint[], request: RoutingRequest, context: PlannerContext): readonly Endpoint[] {
  if (!anyRecentlyFailed(endpoints, context)) return structuredFirst(healthyOrder(endpoints, request, context), request);
  const stable = endpoints.filter((endpoint) => !recentlyFailed(endpoint, context));
  const unstable = endpoints.filter((endpoint) => recentlyFailed(endpoint, context)).sort(byPrice);
  return [...structuredFirst(healthyOrder(stable, request, context), request), ...structuredFirst(unstable, request)];
}

function anyRecentlyFailed(endpoints: readonly Endpoint[], context: PlannerContext): boolean {
  for (const endpoint of endpoints) if (recentlyFailed(endpoint, context)) return true;
  return false;
}

function recentlyFailed(endpoint: Endpoint, context: PlannerContext): boolean {
  const at = context.health.lastFailureAtMs(endpoint.id);
  return at !== undefined && context.nowMs - at < RECENT_FAILURE_MS;
}

/** Healthy endpoints under `provider.sort`, or load-balanced by price without one. */
function healthyOrder(endpoints: readonly Endpoint[], request: RoutingRequest, context: PlannerContext): readonly Endpoint[] {
  const sort = request.provider.sort;
  return sort ? sortBy(endpoints, sort, context.health, context.nowMs) : weightedByInversePriceSquared(endpoints, context.random);
}

/** Endpoints that honour `response_format` first, when the request asks for structured output (soft). */
function structuredFirst(list: readonly Endpoint[], request: RoutingRequest): readonly Endpoint[] {
  return request.wantsStructuredOutput ? stablePartition(list, supportsStructuredOutput) : list;
}

/** True when the endpoint can honour `response_format`. */
export function supportsStructuredOutput(endpoint: Endpoint): boolean {
  return endpoint.supportedParameters.includes("response_format") || endpoint.supportedParameters.includes("structured_outputs");
}

/** Sorts by the requested key; unmeasured endpoints follow measured ones, by price. */
export function sortBy(endpoints: readonly Endpoint[], sort: SortBy, health: HealthView, nowMs: number): Endpoint[] {
  if (sort === "price") return [...endpoints].sort(byPrice);
  const metric = (e: Endpoint) => (sort === "throughput" ? health.throughputP50(e.id, nowMs) : health.ttftP50Ms(e.id, nowMs));
  const measured = endpoints.filter((e) => metric(e) !== undefined);
  const unmeasured = endpoints.filter((e) => metric(e) === undefined).sort(byPrice);
  measured.sort((a, b) => {
    const diff = (metric(a) ?? 0) - (metric(b) ?? 0);
    return (sort === "throughput" ? -diff : diff) || byPrice(a, b);
  });
  return [...measured, ...unmeasured];
}

/**
 * Weighted random order without replacement: each draw picks an endpoint with probability
 * proportional to 1/price² among those left. A free endpoint (price 0) counts as 1 nano-USD.
 * The weights are probabilities, not money, so floating point is fine here.
 */
export function weightedByInversePriceSquared(endpoints: readonly Endpoint[], random: () => number): readonly Endpoint[] {
  // one endpoint (most models) has nothing to draw
  if (endpoints.length < 2) return endpoints;
  const left = [...endpoints].sort(byPrice);
  const out: Endpoint[] = [];
  while (left.length > 0) {
    const weights = left.map((e) => {
      const blended = blendedPrice(e);
      const price = Number(blended > 0n ? blended : 1n);
      return 1 / (price * price);
    });
    const total = weights.reduce((sum, w) => sum + w, 0);
    let target = random() * total;
    let index = 0;
    while (index < left.length - 1 && target >= (weights[index] ?? 0)) {
      target -= weights[index] ?? 0;
      index += 1;
    }
    out.push(...left.splice(index, 1));
  }
  return out;
}

function stablePartition<T>(list: readonly T[], first: (item: T) => boolean): T[] {
  return [...list.filter(first), ...list.filter((item) => !first(item))];
}
