import rateLimit from "@fastify/rate-limit";
import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from "fastify";
import type { Redis } from "ioredis";
import type { ServerConfig } from "../../config/server-schema.js";
import { AppError } from "../../domain/errors.js";
import { API_PREFIXES } from "../api-prefixes.js";

type Budget = ServerConfig["rate_limits"]["sign_in"];
type Group = keyof ServerConfig["rate_limits"];

/**
 * The routes anyone may call without a key, by budget. Sign-in writes a challenge or a session
 * key per call, so it has its own, tighter budget; the public reads share the other; inference
 * calls without a key (paid per request with x402) have their own (INFERENCE_ROUTES below). Health,
 * readiness and /metrics are left out: probes and scrapers call them on a schedule.
 */
const ANONYMOUS_ROUTES: ReadonlyMap<string, Group> = new Map<string, Group>(
  API_PREFIXES.flatMap((prefix): [string, Group][] => [
    [`${prefix}/auth/challenge`, "sign_in"],
    [`${prefix}/auth/verify`, "sign_in"],
    ...[
      "/models",
      "/models/count",
      "/models/:author/:slug",
      "/models/:author",
      "/model/:author/:slug",
      "/models/:author/:slug/endpoints",
      "/providers",
      "/rankings",
      "/datasets/rankings-daily",
      "/datasets/app-rankings",
      "/credits/deposit-addresses",
      "/credits/recent-blockhash",
    ].map((path): [string, Group] => [`${prefix}${path}`, "anonymous"]),
  ]),
);

/** The inference routes: without a key they are paid per request (x402), which costs chain reads. */
const INFERENCE_ROUTES: ReadonlySet<string> = new Set(
  API_PREFIXES.flatMap((prefix) => ["/chat/completions", "/completions", "/responses", "/embeddings", "/messages"].map((path) => `${prefix}${path}`)),
);

function groupOf(request: FastifyRequest): Group | undefined {
  const route = request.routeOptions.url ?? "";
  if (INFERENCE_ROUTES.has(route)) return sentKey(request) ? undefined : "keyless_inference";
  return ANONYMOUS_ROUTES.get(route);
}

/** Whether the request carries a key (Bearer, or Anthropic's x-api-key); keyed calls have the per-key limits instead. */
function sentKey(request: FastifyRequest): boolean {
  return request.headers.authorization !== undefined || request.headers["x-api-key"] !== undefined;
}

/**
 * Per client address budgets on the routes that need no key (@fastify/rate-limit), so nobody can
 * flood sign-in or the public reads: past the budget the answer is 429 in OpenRouter's envelope
 * with Retry-After. With `redis` the counters are shared by every process; without, each process
 * counts alone. Register before the routes: only routes declared afterwards are limited.
 */
export async function registerAnonymousRateLimit(app: FastifyInstance, budgets: ServerConfig["rate_limits"], redis?: Redis): Promise<void> {
  const budgetOf = (request: FastifyRequest): Budget => budgets[groupOf(request) ?? "anonymous"];
  skipUnlimitedRequests(app);
  await app.register(rateLimit, {
    global: true,
    allowList: (request) => groupOf(request) === undefined,
    keyGenerator: (request) => `${groupOf(request) ?? "anonymous"}:${request.ip}`,
    max: (request) => budgetOf(request).max,
    timeWindow: (request) => budgetOf(request).window_ms,
    ...(redis ? { redis, nameSpace: "farebox-anonymous-rl:" } : {}),
    // A Redis outage lets requests through rather than failing them.
    skipOnError: true,
    errorResponseBuilder: (_request, context) =>
      new AppError(`Rate limit exceeded: at most ${context.max} requests per client address; retry in ${context.after}`, {
        httpStatus: 429,
        errorType: "rate_limit_exceeded",
        retryable: true,
        metadata: { limit: context.max, retry_after_seconds: Math.ceil(context.ttl / 1000) },
      }),
  });
}

/**
 * Keeps the limiter's hook off the requests it can only let through. With `global: true` the plugin
 * hooks every route, and its hook (async, through `keyGenerator` and `allowList`, each reading
 * `request.routeOptions`, a fresh object per read) ran on every keyed inference request to find
 * out it is not limited: ≈1.7 KB allocated per chat request (bench/RESULTS.md, "Fifth pass").
 * Routes of no group get no hook (`config.rateLimit: false`, the plugin's own opt-out); an inference
 * route gets the plugin's global hook (`app.rateLimit()` without options: the same store, budgets
 * and answers) behind a check for a key, run before it in the same onRequest step as before.
 * Registered before the plugin, so its onRoute hook sees the opt-out.
 */
function skipUnlimitedRequests(app: FastifyInstance): void {
  app.addHook("onRoute", (route) => {
    const inference = INFERENCE_ROUTES.has(route.url);
    if (!inference && ANONYMOUS_ROUTES.has(route.url)) return;
    route.config = { ...route.config, rateLimit: false };
    if (!inference) return;
    // the routes are declared after the plugin is registered: its decorator is there by then
    const limit = app.rateLimit();
    const keyless: onRequestHookHandler = function (request, reply, done) {
      if (sentKey(request)) return done();
      limit.call(this, request, reply).then(() => done(), done);
    };
    const own = route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
    route.onRequest = [...own, keyless];
  });
}
