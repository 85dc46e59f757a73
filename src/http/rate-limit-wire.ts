import { z } from "zod";
import { formatInterval, parseInterval, rateLimitOf, type ApiKey, type KeyRateLimit } from "../keys/index.js";

/** The largest `requests` a key's rate limit may name. */
export const MAX_RATE_LIMIT_REQUESTS = 1_000_000;

const requests = z.number().int().min(1).max(MAX_RATE_LIMIT_REQUESTS);
const interval = z
  .string()
  .max(8)
  .refine((text) => parseInterval(text) !== undefined, { message: 'must be a whole number of s, m or h between 1s and 1h, e.g. "1m"' })
  .default("1m");

/**
 * A key's rate limit as clients write it, `{requests, interval}` (interval "1m" when omitted),
 * or null for none; parsed to the stored form. Used by POST/PATCH /keys as `rate_limit`.
 */
export const rateLimitInput = z
  .object({ requests, interval })
  .strict()
  .transform((body): KeyRateLimit => ({ requests: body.requests, intervalMs: parseInterval(body.interval)! }))
  .nullable();

/** PUT /keys/{hash}/rate-limit's body: the same, with `requests: null` meaning no limit. */
export const rateLimitPutBody = z
  .object({ requests: requests.nullable(), interval })
  .strict()
  .transform((body): KeyRateLimit | null => (body.requests === null ? null : { requests: body.requests, intervalMs: parseInterval(body.interval)! }));

/**
 * A key's rate limit in OpenRouter's key shape `{requests, interval, note}`. A key without one
 * reads as OpenRouter shows every key now (reference §2/§4): `requests: -1`, interval "10s".
 */
export function presentRateLimit(key: Pick<ApiKey, "rateLimitRequests" | "rateLimitIntervalMs">) {
  const limit = rateLimitOf(key);
  return limit
    ? { requests: limit.requests, interval: formatInterval(limit.intervalMs), note: "Enforced per key by this gateway (fixed windows)" }
    : { requests: -1, interval: "10s", note: "No request rate limit is set on this key" };
}
