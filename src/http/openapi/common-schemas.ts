/**
 * Pieces every route's schema shares: the error envelope, the security schemes and the
 * responses a key-checked route can give. Named components (`meta({ id })`) appear once in the
 * document under components.schemas and are referenced from each route.
 */
import { z } from "zod";
import { checkedByUseCase } from "./route-schemas.js";

/** OpenRouter's error envelope, the body of every non-stream error farebox answers. */
export const errorEnvelope = z
  .object({
    error: z.object({
      code: z.int().describe("The HTTP status, mirrored"),
      message: z.string(),
      metadata: z
        .looseObject({ error_type: z.string().optional().describe("OpenRouter's typed error_type (invalid_request, authentication, …)") })
        .optional(),
    }),
  })
  .meta({ id: "ErrorResponse", description: "OpenRouter's error envelope" });

/** The security schemes of the document: which bearer token a route takes. */
export const SECURITY_SCHEMES = {
  inferenceKey: { type: "http", scheme: "bearer", description: "An inference API key (sk-fb-…): calls models." },
  managementKey: {
    type: "http",
    scheme: "bearer",
    description: "A management key: manages the account (keys, credits, deposits, BYOK). Wallet sign-in returns one that expires.",
  },
  adminToken: { type: "http", scheme: "bearer", description: "The operator's FAREBOX_ADMIN_TOKEN (admin routes exist only when it is set)." },
  inferenceKeyHeader: { type: "apiKey", in: "header", name: "x-api-key", description: "An inference API key in Anthropic's header (the Messages routes)." },
  x402Payment: {
    type: "apiKey",
    in: "header",
    name: "PAYMENT-SIGNATURE",
    description: "With x402 enabled and no key: an x402 v2 payment for the quote a 402's PAYMENT-REQUIRED header asked for.",
  },
} as const;

/** A route's `security` for the keys it accepts. */
export const security = {
  inference: [{ inferenceKey: [] }, { x402Payment: [] }],
  /** The Messages routes: Anthropic's x-api-key header too. */
  inferenceAnthropic: [{ inferenceKey: [] }, { inferenceKeyHeader: [] }, { x402Payment: [] }],
  management: [{ managementKey: [] }],
  anyKey: [{ inferenceKey: [] }, { managementKey: [] }],
  admin: [{ adminToken: [] }],
  /** Anonymous, or a management key (wallet sign-in links the wallet to that key's account). */
  optionalManagement: [{}, { managementKey: [] }],
} as const;

/** Error responses, by status, in the shared envelope. */
export function errorResponses(...statuses: number[]): Record<number, typeof errorEnvelope> {
  return Object.fromEntries(statuses.map((status) => [status, errorEnvelope]));
}

/** The errors of a route that takes a key: bad input, no or wrong key, wrong kind of key, per-key rate limit. */
export const keyedErrors = errorResponses(400, 401, 403, 429);

/** The errors of an anonymous route: bad input, the anonymous rate limit. */
export const publicErrors = errorResponses(400, 429);

/** A USD amount written as an exact decimal string (formatted from integer nano-USD). */
export const usdString = z.string().regex(/^-?\d+(\.\d+)?$/u).describe("USD, an exact decimal string");

/** An ISO 8601 timestamp. */
export const timestamp = z.string().describe("ISO 8601 date-time");

/** What an inference route's schema says beyond the shared parts. */
export interface InferenceRoute {
  summary: string;
  description?: string;
  /** The request body, validated by the route's use case or translator (documented only). */
  body: z.ZodType;
  /** The non-stream answer. */
  answer: z.ZodType;
  /** What its `text/event-stream` answer (with `stream: true`) holds. */
  events: string;
  security?: (typeof security)[keyof typeof security];
  /** The error responses (default: OpenRouter's envelope for every status an inference route answers). */
  errors?: Record<number, z.ZodType>;
}

/** The statuses an inference route answers with besides its keyed errors: no credit, no endpoint, timeouts, upstream failures. */
export const INFERENCE_ERROR_STATUSES = [402, 404, 408, 413, 502, 503] as const;

/**
 * The schema of an inference route: JSON, or server-sent events with `stream: true`; its body is
 * validated once, by the use case or the format's translator, so it is described here only.
 */
export function inferenceRouteSchema(route: InferenceRoute) {
  return {
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    tags: ["inference"],
    security: route.security ?? security.inference,
    body: checkedByUseCase(route.body),
    response: {
      200: {
        description: "The answer, or its stream of server-sent events",
        content: {
          "application/json": { schema: route.answer },
          "text/event-stream": { schema: z.string().describe(route.events) },
        },
      },
      ...(route.errors ?? { ...keyedErrors, ...errorResponses(...INFERENCE_ERROR_STATUSES) }),
    },
  };
}
