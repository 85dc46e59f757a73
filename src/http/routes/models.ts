/**
 * GET /api/v1/models (no auth, OpenRouter's shape: the models a request can be served by, every
 * model with `?all=true`) and
 * GET /api/v1/models/{author}/{slug}/endpoints with uptime, latency and throughput measured from
 * farebox's own traffic. /models takes OpenRouter's filters (model-filters.ts).
 */
import type { FastifyInstance } from "fastify";
import type { Catalog } from "../../catalog/types.js";
import { notFound } from "../../domain/errors.js";
import type { HealthTracker } from "../../routing/health.js";
import { matchesModelQuery, pageOf, parseModelQuery, type ModelQuery } from "./model-filters.js";
import { endpointEntry, endpointsBody, modelEntry } from "./model-wire.js";

/** What the model routes read. */
export interface ModelRoutesDeps {
  catalog: Catalog;
  health: HealthTracker;
  nowMs?: () => number;
}

/** Registers the model listing routes. */
export function registerModelRoutes(app: FastifyInstance, deps: ModelRoutesDeps): void {
  const nowMs = deps.nowMs ?? (() => Date.now());
  const listing = (query: ModelQuery) => {
    const matching = [...deps.catalog.models.values()].filter((model) => matchesModelQuery(model, query));
    return { data: pageOf(matching, query).map(modelEntry), links: { next: null }, total_count: matching.length };
  };
  // without filters, one listing per catalog snapshot (discovery replaces the snapshot) and per ?all
  const cache = new WeakMap<object, Map<string, ReturnType<typeof listing>>>();
  const list = async (request: { query: unknown }) => {
    const query = parseModelQuery(request.query);
    const filtered = Object.entries(query).some(([name, value]) => name !== "all" && value !== undefined);
    if (filtered) return listing(query);
    const byFlag = cache.get(deps.catalog.models) ?? new Map<string, ReturnType<typeof listing>>();
    cache.set(deps.catalog.models, byFlag);
    const flag = query.all ?? "false";
    let body = byFlag.get(flag);
    if (!body) byFlag.set(flag, (body = listing(query)));
    return body;
  };
  const endpoints = async (request: { params: unknown }) => {
    const { author, slug } = request.params as { author: string; slug: string };
    const model = deps.catalog.models.get(`${author}/${slug}`);
    if (!model) throw notFound(`Model ${author}/${slug} is not in this farebox catalog.`, { availability: { code: "model_not_found" } });
    const now = nowMs();
    return endpointsBody(model, model.endpoints.map((endpoint) => endpointEntry(model, endpoint, deps.health.snapshot(endpoint.id, now))));
  };
  app.get("/models", list);
  app.get("/models/:author/:slug/endpoints", endpoints);
}
