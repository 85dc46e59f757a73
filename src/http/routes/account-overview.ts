import type { FastifyInstance } from "fastify";
import { listWallets } from "../../auth/sign-in.js";
import { nanoToUsdString } from "../../domain/money.js";
import { notFound } from "../../domain/errors.js";
import { getBalance } from "../../ledger/index.js";
import { z } from "zod";
import { callerKey, requireKey } from "../plugins/auth.js";
import { errorResponses, keyedErrors, security, usdString } from "../openapi/common-schemas.js";
import { zodRoutes } from "../openapi/route-schemas.js";
import { linkedWallet } from "./wallet-wire.js";
import type { RouteDeps } from "./deps.js";

/**
 * What an account holder sees of their account beyond OpenRouter's /credits: GET
 * /api/v1/credits/balance (balance, held by open requests, available; exact USD decimal strings)
 * and GET /api/v1/auth/wallets (the wallets linked to the account).
 */
export function registerAccountOverviewRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const routes = zodRoutes(app);
  const management = { preHandler: requireKey(deps.keys, ["management"]) };
  const balanceSchema = {
    summary: "Balance, held by open requests, and available (USD)",
    tags: ["credits"],
    security: security.management,
    response: { 200: z.object({ data: z.object({ balance: usdString, held: usdString, available: usdString }) }), ...keyedErrors, ...errorResponses(404) },
  };
  routes.get("/credits/balance", { ...management, schema: balanceSchema }, async (request) => {
    const balance = await getBalance(deps.db, callerKey(request).accountId);
    if (!balance) throw notFound("the account does not exist");
    return {
      data: { balance: nanoToUsdString(balance.balanceNano), held: nanoToUsdString(balance.heldNano), available: nanoToUsdString(balance.availableNano) },
    };
  });

  const walletsSchema = { summary: "The wallets linked to the account", tags: ["wallets"], security: security.management, response: { 200: z.object({ data: z.array(linkedWallet) }), ...keyedErrors } };
  routes.get("/auth/wallets", { ...management, schema: walletsSchema }, async (request) => {
    const wallets = await listWallets(deps.db, callerKey(request).accountId);
    return { data: wallets.map((w) => ({ chain: w.family, address: w.address, created_at: w.createdAt.toISOString() })) };
  });
}
