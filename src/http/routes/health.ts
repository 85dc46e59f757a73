import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { Database } from "../../db/client.js";
import { AppError } from "../../domain/errors.js";
import { errorResponses } from "../openapi/common-schemas.js";
import { zodRoutes } from "../openapi/route-schemas.js";

/**
 * GET /health: the process answers. GET /ready: the database answers and is fully migrated, and
 * the processes meant to serve the port alongside this one (`servingAlongside`: a cluster's other
 * workers) listen too.
 */
export function registerHealthRoutes(app: FastifyInstance, database: Database, servingAlongside: () => boolean = () => true): void {
  const routes = zodRoutes(app);
  const tags = ["operations"];
  routes.get("/health", { schema: { summary: "The process answers", tags, response: { 200: z.object({ status: z.literal("ok") }) } } }, async () => ({ status: "ok" as const }));
  routes.get(
    "/ready",
    { schema: { summary: "The database answers and is fully migrated, and every gateway process serving the port listens", tags, response: { 200: z.object({ status: z.literal("ready") }), ...errorResponses(503) } } },
    async () => {
      if (!servingAlongside()) {
        throw new AppError("Not every gateway process serving this port listens yet", { httpStatus: 503, errorType: "server", retryable: true });
      }
      if (!(await database.isReady())) {
        throw new AppError("Database unreachable or not migrated", { httpStatus: 503, errorType: "server", retryable: true });
      }
      return { status: "ready" as const };
    },
  );
}
