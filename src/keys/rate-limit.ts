/**
 * Per-key request rate limits (OpenRouter's key `rate_limit: {requests, interval}`). The setting is
 * stored on the key's row, so it survives anything that happens to the counters and reaches the
 * request path with the key lookup it already makes (KeyResolver); only the counting happens
 * elsewhere, in a `RequestCounter`, and only for keys that have a limit.
 */
import type { apiKeys } from "../db/schema/index.js";

/** A key's budget: at most `requests` per `intervalMs` (fixed windows aligned to the interval). */
export interface KeyRateLimit {
  requests: number;
  intervalMs: number;
}

/** The outcome of counting one request. */
export type RateLimitTake = { ok: true } | { ok: false; limit: KeyRateLimit; retryAfterMs: number };

/**
 * Counts requests per key in fixed windows: `count` adds one to the key's counter for the window
 * starting at `windowStartMs` (which lasts `intervalMs`) and returns the new count.
 */
export interface RequestCounter {
  count(keyId: string, windowStartMs: number, intervalMs: number): Promise<number>;
}

/** The key's rate limit from its row, or null when it has none. */
export function rateLimitOf(key: Pick<typeof apiKeys.$inferSelect, "rateLimitRequests" | "rateLimitIntervalMs">): KeyRateLimit | null {
  return key.rateLimitRequests === null || key.rateLimitIntervalMs === null
    ? null
    : { requests: key.rateLimitRequests, intervalMs: key.rateLimitIntervalMs };
}

/** Counts one request of `keyId` against `limit`; refused once the budget of the current window is spent. */
export async function takeRequest(counter: RequestCounter, keyId: string, limit: KeyRateLimit, nowMs: number): Promise<RateLimitTake> {
  const windowStartMs = nowMs - (nowMs % limit.intervalMs);
  const count = await counter.count(keyId, windowStartMs, limit.intervalMs);
  return count <= limit.requests ? { ok: true } : { ok: false, limit, retryAfterMs: windowStartMs + limit.intervalMs - nowMs };
}

const INTERVAL = /^(\d{1,4})(s|m|h)$/;
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000 } as const;

/** Parses OpenRouter's interval text ("10s", "1m", "1h") to milliseconds; undefined when not one (or outside 1 s to 1 h). */
export function parseInterval(text: string): number | undefined {
  const match = INTERVAL.exec(text);
  if (!match) return undefined;
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  return ms >= 1_000 && ms <= 3_600_000 ? ms : undefined;
}

/** An interval in OpenRouter's text form, in the largest whole unit. */
export function formatInterval(intervalMs: number): string {
  if (intervalMs % 3_600_000 === 0) return `${intervalMs / 3_600_000}h`;
  if (intervalMs % 60_000 === 0) return `${intervalMs / 60_000}m`;
  return `${intervalMs / 1_000}s`;
}
