/**
 * GET /api/v1/credits/recent-blockhash?chain=solana: a recent blockhash of a configured Solana
 * chain, read through the operator's own connection. A browser wallet needs one to send a deposit,
 * and the page must not learn the RPC URL (it may carry an API key). Anonymous, rate-limited like the
 * other public reads.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { AppError, badRequest } from "../../domain/errors.js";
import { storableText } from "../../domain/storable-text.js";
import { findDepositChain } from "../../deposits/deposit-chain.js";
import { errorResponses, publicErrors } from "../openapi/common-schemas.js";
import { zodRoutes } from "../openapi/route-schemas.js";
import type { WalletRouteDeps } from "./wallet-deps.js";

const query = z.object({ chain: storableText().min(1).max(100).default("solana") });

export function registerRecentBlockhashRoute(app: FastifyInstance, wallet: WalletRouteDeps): void {
  const schema = {
    summary: "A recent blockhash of a configured Solana chain",
    tags: ["deposits"],
    querystring: query,
    response: { 200: z.object({ data: z.object({ chain: z.string(), blockhash: z.string(), last_valid_block_height: z.number() }) }), ...publicErrors, ...errorResponses(503) },
  };
  zodRoutes(app).get("/credits/recent-blockhash", { schema }, async (request) => {
    const { chain: requested } = request.query;
    const chain = findDepositChain(wallet.depositChains, requested);
    if (!chain?.recentBlockhash) throw badRequest(`No configured Solana chain is named ${JSON.stringify(requested)}`, { param: "chain" });
    let latest: { blockhash: string; lastValidBlockHeight: number };
    try {
      latest = await chain.recentBlockhash();
    } catch (cause) {
      throw new AppError(`The ${chain.name} node did not answer with a blockhash; retry shortly`, {
        httpStatus: 503,
        errorType: "provider_unavailable",
        retryable: true,
        cause,
      });
    }
    return { data: { chain: chain.chain, blockhash: latest.blockhash, last_valid_block_height: latest.lastValidBlockHeight } };
  });
}
