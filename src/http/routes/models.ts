/**
 * GET /api/v1/models (no auth, OpenRouter's shape: the models a request can be served by, every
 * model with `?all=true`) and
 * GET /api/v1/models/{author}/{slug}/endpoints with uptime, latency and throughput measured from
 * farebox's own traffic. /models takes OpenRouter's filters (model-filters.ts).
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { Catalog } from "../../catalog/types.js";
import { notFound } from "../../domain/errors.js";
import type { HealthTracker } from "../../routing/health.js";
import { errorResponses, publicErrors } from "../openapi/common-schemas.js";
import { zodRoutes } from "../openapi/route-schemas.js";
import { checkModelQuery, matchesModelQuery, modelQuery, pageOf, type ModelQuery } from "./model-filters.js";
import { endpointEntry, endpointsBody, endpointsWire, modelEntry, modelListWire } from "./model-wire.js";

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
  const list = async (request: { query: ModelQuery }) => {
    const query = checkModelQuery(request.query);
    const filtered = Object.entries(query).some(([name, value]) => name !== "all" && value !== undefined);
    if (filtered) return listing(query);
    const byFlag = cache.get(deps.catalog.models) ?? new Map<string, ReturnType<typeof listing>>();
    cache.set(deps.catalog.models, byFlag);
    const flag = query.all ?? "false";
    let body = byFlag.get(flag);
    if (!body) byFlag.set(flag, (body = listing(query)));
    return body;
  };
  const endpoints = async (request: { params: { author: string; slug: string } }) => {
    const { author, slug } = request.params;
    const model = deps.catalog.models.get(`${author}/${slug}`);
    if (!model) throw notFound(`Model ${author}/${slug} is not in this farebox catalog.`, { availability: { code: "model_not_found" } });
    const now = nowMs();
    return endpointsBody(model, model.endpoints.map((endpoint) => endpointEntry(model, endpoint, deps.health.snapshot(endpoint.id, now))));
  };
  const routes = zodRoutes(app);
  const tags = ["models"];
  const listSchema = {
    summary: "The models a request can be served by",
    description: "OpenRouter's filters; farebox's `all=true` lists the models no request can be served by yet too.",
    tags,
    querystring: modelQuery,
    response: { 200: modelListWire, ...publicErrors },
  };
  routes.get("/models", { schema: listSchema }, list);
  const endpointsSchema = {
    summary: "A model's endpoints, with uptime, latency and throughput measured from farebox's own traffic",
    tags,
    params: z.object({ author: z.string(), slug: z.string() }),
    response: { 200: endpointsWire, ...publicErrors, ...errorResponses(404) },
  };
  routes.get("/models/:author/:slug/endpoints", { schema: endpointsSchema }, endpoints);
}
