import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { notFound } from "../../domain/errors.js";
import { findAccountKey, updateKey } from "../../keys/index.js";
import { callerKey, requireKey } from "../plugins/auth.js";
import { presentRateLimit, rateLimitPutBody } from "../rate-limit-wire.js";
import { errorResponses, keyedErrors, security } from "../openapi/common-schemas.js";
import { zodRoutes } from "../openapi/route-schemas.js";
import { rateLimitWire } from "../presenters/key.js";
import type { RouteDeps } from "./deps.js";

const hashParams = z.object({ hash: z.string().regex(/^[0-9a-f]{64}$/, "must be a 64-character sha256 hex hash") });

// Only inference keys: a management key limited by mistake could lock its owner out of undoing it.
const NO_SUCH_KEY = "No inference key with that hash in this account";

/**
 * GET and PUT /api/v1/keys/{hash}/rate-limit (management key of the key's account): read or set an
 * inference key's request budget `{requests, interval}` ("1m" by default; `requests: null` removes
 * it). Stored on the key's row; this process enforces it from its next request, others once their
 * cached copy of the key is re-read (within seconds).
 */
export function registerKeyRateLimitRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const routes = zodRoutes(app);
  const management = { preHandler: requireKey(deps.keys, ["management"]) };
  const common = { tags: ["keys"], security: security.management, params: hashParams };
  const response = { 200: z.object({ data: z.object({ rate_limit: rateLimitWire }) }), ...keyedErrors, ...errorResponses(404) };
  routes.get("/keys/:hash/rate-limit", { ...management, schema: { ...common, summary: "An inference key's request budget", response } }, async (request) => {
    const { hash } = request.params;
    const key = await findAccountKey(deps.db, callerKey(request).accountId, hash);
    if (!key || key.kind !== "inference") throw notFound(NO_SUCH_KEY);
    return { data: { rate_limit: presentRateLimit(key) } };
  });
  const putSchema = { ...common, summary: "Set or remove an inference key's request budget", body: rateLimitPutBody, response };
  routes.put("/keys/:hash/rate-limit", { ...management, schema: putSchema }, async (request) => {
    const { hash } = request.params;
    const rateLimit = request.body;
    const key = await updateKey(deps.db, callerKey(request).accountId, hash, { rateLimit });
    if (!key) throw notFound(NO_SUCH_KEY);
    deps.keys.invalidate(hash);
    return { data: { rate_limit: presentRateLimit(key) } };
  });
}
