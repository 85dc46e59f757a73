/** GET /metrics: the process's metrics in the Prometheus text format. */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { PROMETHEUS_CONTENT_TYPE, renderMetrics } from "../../metrics/exposition.js";
import type { MetricsRegistry } from "../../metrics/registry.js";
import { zodRoutes } from "../openapi/route-schemas.js";

/** Registers the scrape endpoint. */
export function registerMetricsRoute(app: FastifyInstance, deps: { registry: MetricsRegistry }): void {
  const schema = {
    summary: "Prometheus metrics",
    tags: ["operations"],
    response: { 200: { description: "The Prometheus text exposition format", content: { [PROMETHEUS_CONTENT_TYPE]: { schema: z.string() } } } },
  };
  zodRoutes(app).get("/metrics", { schema }, async (_request, reply) => reply.header("content-type", PROMETHEUS_CONTENT_TYPE).send(await renderMetrics(deps.registry)));
}
