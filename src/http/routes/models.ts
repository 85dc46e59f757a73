/**
 * GET /api/v1/models (no auth, OpenRouter's shape: the models a request can be served by, every
 * model with `?all=true`) and
 * GET /api/v1/models/{author}/{slug}/endpoints with uptime, latency and throughput measured from
 * farebox's own traffic. Both also answer under /v1.
 */
import type { FastifyInstance } from "fastify";
import { isUsable } from "../../catalog/live-catalog.js";
import type { Catalog } from "../../catalog/types.js";
import { notFound } from "../../domain/errors.js";
import type { HealthTracker } from "../../routing/health.js";
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
  const listing = (all: boolean) => {
    const data = [...deps.catalog.models.values()].filter((model) => all || isUsable(model)).map(modelEntry);
    return { data, links: { next: null }, total_count: data.length };
  };
  // one listing per catalog snapshot (discovery replaces the snapshot) and per ?all
  const cache = new WeakMap<object, Map<boolean, ReturnType<typeof listing>>>();
  const list = async (request: { query: unknown }) => {
    const all = (request.query as { all?: unknown } | undefined)?.all === "true";
    const byFlag = cache.get(deps.catalog.models) ?? new Map<boolean, ReturnType<typeof listing>>();
    cache.set(deps.catalog.models, byFlag);
    let body = byFlag.get(all);
    if (!body) byFlag.set(all, (body = listing(all)));
    return body;
  };
  const endpoints = async (request: { params: unknown }) => {
    const { author, slug } = request.params as { author: string; slug: string };
    const model = deps.catalog.models.get(`${author}/${slug}`);
    if (!model) throw notFound(`Model ${author}/${slug} is not in this farebox catalog.`, { availability: { code: "model_not_found" } });
    const now = nowMs();
    return endpointsBody(model, model.endpoints.map((endpoint) => endpointEntry(model, endpoint, deps.health.snapshot(endpoint.id, now))));
  };
  for (const prefix of ["/api/v1", "/v1"]) {
    app.get(`${prefix}/models`, list);
    app.get(`${prefix}/models/:author/:slug/endpoints`, endpoints);
  }
}
