import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerHookHandler } from "fastify";
import { AppError } from "../../domain/errors.js";
import { formatInterval, rateLimitOf, takeRequest, type ApiKey, type KeyRateLimit, type RequestCounter } from "../../keys/index.js";

/**
 * Enforces per-key rate limits on every route a key authenticates: a pre-handler appended after
 * each route's own (so it runs once `requireKey` has set `request.apiKey`, whose row carries the
 * limit) counts the request against the key's budget and answers 429 in OpenRouter's envelope
 * with Retry-After past it. A key without a limit costs nothing: no counter is touched. If the
 * counter cannot be asked (Redis away), the request goes through (a warning is logged): a counter
 * outage must not take the gateway down.
 * Register before the routes: only routes declared afterwards are limited.
 */
export function registerKeyRateLimit(app: FastifyInstance, counter: RequestCounter, nowMs: () => number): void {
  const count = async (key: ApiKey, limit: KeyRateLimit, request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    let outcome;
    try {
      outcome = await takeRequest(counter, key.id, limit, nowMs());
    } catch (error) {
      request.log.warn({ err: error }, "per-key rate limit not checked: Redis unavailable");
      return;
    }
    if (outcome.ok) return;
    const retryAfterSeconds = Math.max(1, Math.ceil(outcome.retryAfterMs / 1000));
    void reply.header("Retry-After", String(retryAfterSeconds));
    const interval = formatInterval(outcome.limit.intervalMs);
    throw new AppError(`Rate limit exceeded: this key allows ${outcome.limit.requests} requests per ${interval}; retry in ${retryAfterSeconds} s`, {
      httpStatus: 429,
      errorType: "rate_limit_exceeded",
      retryable: true,
      metadata: { rate_limit: { requests: outcome.limit.requests, interval }, retry_after_seconds: retryAfterSeconds },
    });
  };
  // a callback hook: a key without a limit (most) passes without a promise
  const enforce: preHandlerHookHandler = (request, reply, done) => {
    const key = request.apiKey;
    const limit = key ? rateLimitOf(key) : null;
    if (!key || !limit) return done();
    count(key, limit, request, reply).then(() => done(), done);
  };
  app.addHook("onRoute", (route) => {
    const own = route.preHandler === undefined ? [] : Array.isArray(route.preHandler) ? route.preHandler : [route.preHandler];
    route.preHandler = [...own, enforce];
  });
}
