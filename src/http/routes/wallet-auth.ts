import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { completeSignIn, issueChallenge } from "../../auth/sign-in.js";
import { signInTarget } from "../../auth/sign-in-chain.js";
import { badRequest, unauthorized } from "../../domain/errors.js";
import { storableText } from "../../domain/storable-text.js";
import { createKey } from "../../keys/index.js";
import { bearerToken } from "../plugins/auth.js";
import { errorResponses, publicErrors, security } from "../openapi/common-schemas.js";
import { zodRoutes } from "../openapi/route-schemas.js";
import type { RouteDeps } from "./deps.js";
import type { WalletRouteDeps } from "./wallet-deps.js";

const challengeBody = z
  .object({
    chain: storableText().min(1).max(64),
    address: storableText().min(1).max(200),
    chain_id: z.union([z.number(), storableText().max(100)]).optional(),
  })
  .strict();
const verifyBody = z.object({ message: storableText().min(1).max(4096), signature: storableText().min(1).max(8192) }).strict();

/**
 * POST /api/v1/auth/challenge and /api/v1/auth/verify: wallet sign-in. Verify returns a management key
 * that expires (the session); called with a valid management key it links the wallet to that account.
 */
export function registerWalletAuthRoutes(app: FastifyInstance, deps: RouteDeps, wallet: WalletRouteDeps): void {
  const routes = zodRoutes(app);
  const tags = ["wallets"];
  const challengeSchema = {
    summary: "Ask for a sign-in message to sign",
    description: "A SIWE (EIP-4361) message for EVM wallets, a Sign-In-With-Solana message for Solana wallets.",
    tags,
    body: challengeBody,
    response: { 200: z.object({ message: z.string(), nonce: z.string(), expires_at: z.string() }), ...publicErrors },
  };
  routes.post("/auth/challenge", { schema: challengeSchema }, async (request) => {
    const body = request.body;
    const target = signInTarget(body.chain, body.chain_id);
    const scheme = wallet.schemes.find((s) => s.family === target.family);
    if (!scheme) throw badRequest(`sign-in with ${target.family} wallets is not enabled`, { field: "chain" });
    const challenge = await issueChallenge(deps.db, scheme, { address: body.address, chain: target.chain }, deps.clock(), wallet.challengeTtlMs, wallet.maxOpenChallenges);
    return { message: challenge.message, nonce: challenge.nonce, expires_at: challenge.expiresAt.toISOString() };
  });

  const verifySchema = {
    summary: "Sign in with a signed challenge",
    description: "Returns a management key that expires (the session). Sent with a valid management key, links the wallet to that key's account instead.",
    tags,
    security: security.optionalManagement,
    body: verifyBody,
    response: {
      200: z.object({
        account_id: z.string(),
        key: z.string(),
        is_new_account: z.boolean(),
        expires_at: z.string(),
        wallet: z.object({ chain: z.string(), address: z.string(), linked: z.boolean() }),
      }),
      ...publicErrors,
      ...errorResponses(401, 409),
    },
  };
  routes.post("/auth/verify", { schema: verifySchema }, async (request) => {
    const body = request.body;
    let linkTo: string | undefined;
    const secret = bearerToken(request);
    if (secret) {
      const check = await deps.keys.resolve(secret);
      if (!check.ok) throw unauthorized("Invalid API key: sign in without a key, or with a valid management key to link this wallet");
      if (check.key.kind !== "management") throw unauthorized("Only a management key can link a wallet");
      linkTo = check.key.accountId;
    }
    const now = deps.clock();
    const signedIn = await completeSignIn(deps.db, wallet.schemes, body, now, linkTo);
    const expiresAt = new Date(now.getTime() + wallet.sessionTtlMs);
    const { secret: key } = await createKey(deps.db, {
      accountId: signedIn.accountId,
      kind: "management",
      name: `Wallet session ${signedIn.address.slice(0, 10)}…`,
      expiresAt,
    });
    return {
      account_id: signedIn.accountId,
      key,
      is_new_account: signedIn.isNewAccount,
      expires_at: expiresAt.toISOString(),
      wallet: { chain: signedIn.family, address: signedIn.address, linked: signedIn.linked },
    };
  });
}
