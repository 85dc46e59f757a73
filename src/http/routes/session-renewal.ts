import type { FastifyInstance } from "fastify";
import { badRequest } from "../../domain/errors.js";
import { createKey, updateKey } from "../../keys/index.js";
import { z } from "zod";
import { callerKey, requireKey } from "../plugins/auth.js";
import { keyedErrors, security } from "../openapi/common-schemas.js";
import { zodRoutes } from "../openapi/route-schemas.js";
import type { RouteDeps } from "./deps.js";

/** How long the renewed session's old key keeps working, so requests already sent with it still succeed. */
export const RENEWED_KEY_GRACE_MS = 60_000;

/**
 * POST /api/v1/auth/session: renews a wallet session. Called with an expiring management key (what
 * /auth/verify returns), it returns a fresh management key of the account valid for another
 * `auth.session_ttl_s`, and the old key expires a minute later. A management key without an expiry
 * (minted by the admin) needs no renewal and is refused.
 */
export function registerSessionRenewalRoute(app: FastifyInstance, deps: RouteDeps, sessionTtlMs: number): void {
  const schema = {
    summary: "Renew a wallet session",
    description: "Returns a fresh management key; the old one expires a minute later.",
    tags: ["wallets"],
    security: security.management,
    response: { 200: z.object({ account_id: z.string(), key: z.string(), expires_at: z.string() }), ...keyedErrors },
  };
  zodRoutes(app).post("/auth/session", { preHandler: requireKey(deps.keys, ["management"]), schema }, async (request) => {
    const old = callerKey(request);
    if (old.expiresAt === null) throw badRequest("this management key does not expire: there is no session to renew");
    const now = deps.clock();
    const expiresAt = new Date(now.getTime() + sessionTtlMs);
    const { secret } = await createKey(deps.db, { accountId: old.accountId, kind: "management", name: old.name, expiresAt });
    const graceEnd = new Date(Math.min(old.expiresAt.getTime(), now.getTime() + RENEWED_KEY_GRACE_MS));
    await updateKey(deps.db, old.accountId, old.hash, { expiresAt: graceEnd });
    return { account_id: old.accountId, key: secret, expires_at: expiresAt.toISOString() };
  });
}
