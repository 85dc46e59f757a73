import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { notFound, serviceUnavailable } from "../../domain/errors.js";
import { findAccountKey, formatInterval, parseInterval, type KeyRateLimit, type KeyRateLimits } from "../../keys/index.js";
import { callerKey, requireKey } from "../plugins/auth.js";
import { parseInput } from "../validation.js";
import type { RouteDeps } from "./deps.js";

const hashParams = z.object({ hash: z.string().regex(/^[0-9a-f]{64}$/, "must be a 64-character sha256 hex hash") });
const rateLimitBody = z
  .object({
    requests: z.number().int().min(1).max(1_000_000).nullable(),
    interval: z
      .string()
      .max(8)
      .refine((text) => parseInterval(text) !== undefined, { message: 'must be a whole number of s, m or h between 1s and 1h, e.g. "1m"' })
      .default("1m"),
  })
  .strict();

/** A limit in OpenRouter's key shape; no limit reads `requests: -1` as OpenRouter shows an unlimited key. */
function present(limit: KeyRateLimit | null) {
  return limit ? { requests: limit.requests, interval: formatInterval(limit.intervalMs) } : { requests: -1, interval: null };
}

/** A Redis failure is the store being away, not a fault of the request. */
async function fromStore<T>(operation: Promise<T>): Promise<T> {
  try {
    return await operation;
  } catch {
    throw serviceUnavailable("The rate limit store (Redis) is unavailable; retry shortly");
  }
}

/**
 * GET and PUT /api/v1/keys/{hash}/rate-limit (management key of the key's account): read or set an
 * inference key's request budget `{requests, interval}` ("1m" by default; `requests: null` removes
 * it). Enforced by every process from its next request; 503 when no REDIS_URL is configured.
 */
export function registerKeyRateLimitRoutes(app: FastifyInstance, deps: RouteDeps, limits: KeyRateLimits | undefined): void {
  const management = { preHandler: requireKey(deps.keys, ["management"]) };
  const keyOf = async (accountId: string, params: unknown) => {
    if (!limits) throw serviceUnavailable("Per-key rate limits are off: set REDIS_URL to enable them");
    const { hash } = parseInput(hashParams, params, "path");
    const key = await findAccountKey(deps.db, accountId, hash);
    // Only inference keys: a management key limited by mistake could lock its owner out of undoing it.
    if (!key || key.kind !== "inference") throw notFound("No inference key with that hash in this account");
    return { key, limits };
  };
  app.get("/api/v1/keys/:hash/rate-limit", management, async (request) => {
    const { key, limits: store } = await keyOf(callerKey(request).accountId, request.params);
    return { data: { rate_limit: present(await fromStore(store.get(key.id))) } };
  });
  app.put("/api/v1/keys/:hash/rate-limit", management, async (request) => {
    const body = parseInput(rateLimitBody, request.body);
    const { key, limits: store } = await keyOf(callerKey(request).accountId, request.params);
    const limit = body.requests === null ? null : { requests: body.requests, intervalMs: parseInterval(body.interval)! };
    await fromStore(store.set(key.id, limit));
    return { data: { rate_limit: present(limit) } };
  });
}
