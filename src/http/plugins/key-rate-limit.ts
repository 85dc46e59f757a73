import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from "fastify";
import { AppError } from "../../domain/errors.js";
import { formatInterval, rateLimitOf, takeRequest, type RequestCounter } from "../../keys/index.js";

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
  const enforce: preHandlerAsyncHookHandler = async (request: FastifyRequest, reply) => {
    const limit = request.apiKey ? rateLimitOf(request.apiKey) : null;
    if (!request.apiKey || !limit) return;
    let outcome;
    try {
      outcome = await takeRequest(counter, request.apiKey.id, limit, nowMs());
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
  app.addHook("onRoute", (route) => {
    const own = route.preHandler === undefined ? [] : Array.isArray(route.preHandler) ? route.preHandler : [route.preHandler];
    route.preHandler = [...own, enforce];
  });
}
