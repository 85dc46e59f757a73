import type { FastifyInstance } from "fastify";
import { listWallets } from "../../auth/sign-in.js";
import { nanoToUsdString } from "../../domain/money.js";
import { notFound } from "../../domain/errors.js";
import { getBalance } from "../../ledger/index.js";
import { callerKey, requireKey } from "../plugins/auth.js";
import type { RouteDeps } from "./deps.js";

/**
 * What an account holder sees of their account beyond OpenRouter's /credits: GET
 * /api/v1/credits/balance (balance, held by open requests, available; exact USD decimal strings)
 * and GET /api/v1/auth/wallets (the wallets linked to the account).
 */
export function registerAccountOverviewRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const management = { preHandler: requireKey(deps.keys, ["management"]) };

  app.get("/credits/balance", management, async (request) => {
    const balance = await getBalance(deps.db, callerKey(request).accountId);
    if (!balance) throw notFound("the account does not exist");
    return {
      data: { balance: nanoToUsdString(balance.balanceNano), held: nanoToUsdString(balance.heldNano), available: nanoToUsdString(balance.availableNano) },
    };
  });

  app.get("/auth/wallets", management, async (request) => {
    const wallets = await listWallets(deps.db, callerKey(request).accountId);
    return { data: wallets.map((w) => ({ chain: w.family, address: w.address, created_at: w.createdAt.toISOString() })) };
  });
}
