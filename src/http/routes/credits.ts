import type { FastifyInstance } from "fastify";
import { nanoToUsdNumber } from "../../domain/money.js";
import { getTotals } from "../../ledger/index.js";
import { callerKey, requireKey } from "../plugins/auth.js";
import type { RouteDeps } from "./deps.js";

/** GET /api/v1/credits: what the account was credited and has used, in USD (management keys). */
export function registerCreditRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.get("/credits", { preHandler: requireKey(deps.keys, ["management"]) }, async (request) => {
    const totals = await getTotals(deps.db, callerKey(request).accountId);
    return { data: { total_credits: nanoToUsdNumber(totals.creditsNano), total_usage: nanoToUsdNumber(totals.usageNano) } };
  });
}
