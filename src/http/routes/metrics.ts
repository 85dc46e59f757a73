/** GET /metrics: the process's metrics in the Prometheus text format. */
import type { FastifyInstance } from "fastify";
import { PROMETHEUS_CONTENT_TYPE, renderMetrics } from "../../metrics/exposition.js";
import type { MetricsRegistry } from "../../metrics/registry.js";

/** Registers the scrape endpoint. */
export function registerMetricsRoute(app: FastifyInstance, deps: { registry: MetricsRegistry }): void {
  app.get("/metrics", async (_request, reply) => reply.header("content-type", PROMETHEUS_CONTENT_TYPE).send(await renderMetrics(deps.registry)));
}
