import { z } from "zod";

/** A per-client-address request budget: at most `max` requests per `window_ms`. */
const budgetSchema = z
  .object({
    max: z.number().int().min(1).max(1_000_000),
    window_ms: z.number().int().min(1_000).max(3_600_000).default(60_000),
  })
  .strict();

const SERVER_DEFAULTS = {
  headers_timeout_ms: 10_000,
  request_timeout_ms: 60_000,
  keep_alive_timeout_ms: 72_000,
  trust_proxy: false,
  rate_limits: {
    sign_in: { max: 30, window_ms: 60_000 },
    anonymous: { max: 300, window_ms: 60_000 },
    keyless_inference: { max: 120, window_ms: 60_000 },
  },
  max_open_sign_in_challenges: 100_000,
} as const;

/**
 * HTTP server limits against slow and abusive clients.
 * - `headers_timeout_ms`: a client must send its whole header block within this (Slowloris).
 * - `request_timeout_ms`: a client must send its whole request, body included, within this; a
 *   socket trickling a body is cut then (responses, streams included, are not limited by it).
 * - `keep_alive_timeout_ms`: an idle keep-alive socket is closed after this; keep it above the
 *   idle timeout of a load balancer in front (many use 60 s).
 * - `trust_proxy`: take the client address from X-Forwarded-For (only behind a proxy you run).
 * - `rate_limits`: per client address budgets of the routes that need no key: `sign_in` for
 *   /auth/challenge and /auth/verify (each writes to the database), `anonymous` for the public reads,
 *   `keyless_inference` for inference calls without a key (x402: each payment or sign-in proof is
 *   checked against the chain before anything is served).
 * - `max_open_sign_in_challenges`: past this many unexpired challenges, new ones are refused (503)
 *   until some are used or expire, so the challenge table stays bounded whatever the traffic.
 */
export const serverSchema = z
  .object({
    headers_timeout_ms: z.number().int().min(100).max(600_000).default(SERVER_DEFAULTS.headers_timeout_ms),
    request_timeout_ms: z.number().int().min(100).max(3_600_000).default(SERVER_DEFAULTS.request_timeout_ms),
    keep_alive_timeout_ms: z.number().int().min(100).max(3_600_000).default(SERVER_DEFAULTS.keep_alive_timeout_ms),
    trust_proxy: z.boolean().default(SERVER_DEFAULTS.trust_proxy),
    rate_limits: z
      .object({
        sign_in: budgetSchema.default(SERVER_DEFAULTS.rate_limits.sign_in),
        anonymous: budgetSchema.default(SERVER_DEFAULTS.rate_limits.anonymous),
        keyless_inference: budgetSchema.default(SERVER_DEFAULTS.rate_limits.keyless_inference),
      })
      .strict()
      .default(SERVER_DEFAULTS.rate_limits),
    max_open_sign_in_challenges: z.number().int().min(1).max(100_000_000).default(SERVER_DEFAULTS.max_open_sign_in_challenges),
  })
  .strict()
  .refine((server) => server.headers_timeout_ms <= server.request_timeout_ms, {
    message: "headers_timeout_ms must not exceed request_timeout_ms",
    path: ["headers_timeout_ms"],
  })
  .default(SERVER_DEFAULTS);

export type ServerConfig = z.infer<typeof serverSchema>;
