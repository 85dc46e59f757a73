import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { nanoToUsdNumber } from "../../domain/money.js";
import { getTotals } from "../../ledger/index.js";
import { keyedErrors, security } from "../openapi/common-schemas.js";
import { zodRoutes } from "../openapi/route-schemas.js";
import { callerKey, requireKey } from "../plugins/auth.js";
import type { RouteDeps } from "./deps.js";

const creditsResponse = z.object({ data: z.object({ total_credits: z.number(), total_usage: z.number() }) });

/** GET /api/v1/credits: what the account was credited and has used, in USD (management keys). */
export function registerCreditRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const schema = { summary: "Credits bought and used (USD)", tags: ["credits"], security: security.management, response: { 200: creditsResponse, ...keyedErrors } };
  zodRoutes(app).get("/credits", { preHandler: requireKey(deps.keys, ["management"]), schema }, async (request) => {
    const totals = await getTotals(deps.db, callerKey(request).accountId);
    return { data: { total_credits: nanoToUsdNumber(totals.creditsNano), total_usage: nanoToUsdNumber(totals.usageNano) } };
  });
}
