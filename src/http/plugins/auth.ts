import { timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from "fastify";
import { forbidden, unauthorized, type AppError } from "../../domain/errors.js";
import type { ApiKey, KeyCheck, KeyKind, KeyResolver } from "../../keys/index.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The caller's key, set by an authentication pre-handler; null on public routes. */
    apiKey: ApiKey | null;
    /** The account (and payment key) a request paid with x402 runs under; null otherwise. */
    paidCaller: { accountId: string; keyId: string } | null;
  }
}

const REJECTIONS = {
  unknown: "Invalid API key",
  disabled: "API key is disabled",
  expired: "API key has expired",
} as const;

/** Declares the `apiKey` request slot; call once when building the app. */
export function registerAuth(app: FastifyInstance): void {
  app.decorateRequest("apiKey", null);
  app.decorateRequest("paidCaller", null);
}

/** Where else than `Authorization: Bearer` a route takes its key. */
export interface KeySources {
  /** Also read `x-api-key` (Anthropic's header, which its SDKs send). */
  apiKeyHeader?: boolean;
}

/**
 * A pre-handler that requires a bearer key of one of `kinds`: missing, wrong, disabled or
 * expired → 401; a valid key of the wrong kind → 403.
 */
export function requireKey(resolver: KeyResolver, kinds: readonly KeyKind[], sources: KeySources = {}): preHandlerAsyncHookHandler {
  const check = keyCheck(resolver, kinds, sources);
  return async (request) => {
    const refusal = await check(request);
    if (refusal) throw refusal;
  };
}

/**
 * `requireKey`'s check as a function: sets `request.apiKey` and gives undefined, or gives the
 * refusal. It answers without waiting for a key this process checked lately (`resolveCached`), so
 * a hook built on it passes most requests without a promise or microtask hop: as an async
 * function waiting on the resolver's and the cache's, the check allocated ≈1.3 KB per request
 * (bench/RESULTS.md, "Fourth pass").
 */
export function keyCheck(
  resolver: KeyResolver,
  kinds: readonly KeyKind[],
  sources: KeySources = {},
): (request: FastifyRequest) => AppError | undefined | Promise<AppError | undefined> {
  const admit = (request: FastifyRequest, check: KeyCheck): AppError | undefined => {
    if (!check.ok) return unauthorized(REJECTIONS[check.reason]);
    if (!kinds.includes(check.key.kind)) {
      return forbidden(
        check.key.kind === "management"
          ? "Management keys cannot call models: use an inference key"
          : "Only management keys can perform this operation",
      );
    }
    request.apiKey = check.key;
    return undefined;
  };
  return (request) => {
    const secret = bearerToken(request) ?? (sources.apiKeyHeader ? apiKeyHeader(request) : undefined);
    if (!secret) return unauthorized("Missing Authentication header");
    const cached = resolver.resolveCached(secret);
    if (cached !== undefined) return admit(request, cached);
    return resolver.resolve(secret).then((check) => admit(request, check));
  };
}

/** The authenticated key of a request that passed `requireKey`. */
export function callerKey(request: FastifyRequest): ApiKey {
  if (!request.apiKey) throw unauthorized("Missing Authentication header");
  return request.apiKey;
}

/** A pre-handler for the admin API: `Authorization: Bearer <FAREBOX_ADMIN_TOKEN>`, compared in constant time. */
export function requireAdmin(adminToken: string): preHandlerAsyncHookHandler {
  const expected = Buffer.from(adminToken);
  return async (request) => {
    const given = Buffer.from(bearerToken(request) ?? "");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw unauthorized("Invalid admin token");
    }
  };
}

/** The `x-api-key` header's value, or undefined. */
function apiKeyHeader(request: FastifyRequest): string | undefined {
  const value = request.headers["x-api-key"];
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  return text ? text : undefined;
}

/** The token of an `Authorization: Bearer …` header, or undefined. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
