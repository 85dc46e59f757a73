import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { listRecentGenerations } from "../../analytics/recent-generations.js";
import { nanoToUsdString } from "../../domain/money.js";
import { callerKey, requireKey } from "../plugins/auth.js";
import { keyedErrors, security, usdString } from "../openapi/common-schemas.js";
import { zodRoutes } from "../openapi/route-schemas.js";
import type { RouteDeps } from "./deps.js";

const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) });

/**
 * GET /api/v1/generations?limit: the account's latest generations, newest first, one line each
 * (GET /api/v1/generation?id= returns one whole, every attempt included). Management keys.
 */
export function registerRecentGenerationsRoute(app: FastifyInstance, deps: RouteDeps): void {
  const line = z.object({
    id: z.string(),
    created_at: z.string(),
    model: z.string(),
    provider_name: z.string().nullable(),
    tokens_prompt: z.int(),
    tokens_completion: z.int(),
    total_cost: usdString,
    latency: z.number().describe("ms"),
    error_status: z.int().nullable(),
    attempts: z.int(),
  });
  const schema = {
    summary: "The account's latest generations, newest first",
    tags: ["generations"],
    security: security.management,
    querystring: listQuery,
    response: { 200: z.object({ data: z.array(line) }), ...keyedErrors },
  };
  zodRoutes(app).get("/generations", { preHandler: requireKey(deps.keys, ["management"]), schema }, async (request) => {
    const query = request.query;
    const rows = await listRecentGenerations(deps.db, callerKey(request).accountId, query.limit);
    return {
      data: rows.map((row) => ({
        id: row.id,
        created_at: row.createdAt.toISOString(),
        model: row.model,
        provider_name: row.providerName,
        tokens_prompt: row.promptTokens,
        tokens_completion: row.completionTokens,
        total_cost: nanoToUsdString(row.totalNano),
        latency: row.latencyMs,
        error_status: row.errorStatus,
        attempts: row.attempts,
      })),
    };
  });
}
