import { timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from "fastify";
import { forbidden, unauthorized } from "../../domain/errors.js";
import type { ApiKey, KeyKind, KeyResolver } from "../../keys/index.js";

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
  return async (request) => {
    const secret = bearerToken(request) ?? (sources.apiKeyHeader ? apiKeyHeader(request) : undefined);
    if (!secret) throw unauthorized("Missing Authentication header");
    const check = await resolver.resolve(secret);
    if (!check.ok) throw unauthorized(REJECTIONS[check.reason]);
    if (!kinds.includes(check.key.kind)) {
      throw forbidden(
        check.key.kind === "management"
          ? "Management keys cannot call models: use an inference key"
          : "Only management keys can perform this operation",
      );
    }
    request.apiKey = check.key;
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
