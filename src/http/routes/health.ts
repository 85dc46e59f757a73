import type { FastifyInstance } from "fastify";
import type { Database } from "../../db/client.js";
import { AppError } from "../../domain/errors.js";

/** GET /health: the process answers. GET /ready: the database answers and is fully migrated. */
export function registerHealthRoutes(app: FastifyInstance, database: Database): void {
  app.get("/health", async () => ({ status: "ok" }));
  app.get("/ready", async () => {
    if (!(await database.isReady())) {
      throw new AppError("Database unreachable or not migrated", { httpStatus: 503, errorType: "server", retryable: true });
    }
    return { status: "ready" };
  });
}
