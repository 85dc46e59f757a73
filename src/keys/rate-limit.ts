/**
 * Per-key request rate limits (OpenRouter's key `rate_limit: {requests, interval}`), counted in
 * Redis so every gateway process shares one budget per key, and without a database round trip:
 * one script reads the key's setting and, when it has one, counts the request in the current
 * window, in a single Redis call. The setting lives in Redis beside its counters (a hash keyed
 * by key id), so it needs no column of its own.
 */
import type { Redis } from "ioredis";

/** A key's budget: at most `requests` per `intervalMs` (fixed windows aligned to the interval). */
export interface KeyRateLimit {
  requests: number;
  intervalMs: number;
}

/** The outcome of counting one request. */
export type RateLimitTake = { ok: true } | { ok: false; limit: KeyRateLimit; retryAfterMs: number };

const SETTINGS = "farebox:key-rate-limits";
const COUNTER_PREFIX = "farebox:key-rate:";

/**
 * KEYS[1] settings hash, ARGV[1] key id, ARGV[2] counter key prefix, ARGV[3] now (ms).
 * Returns {} for a key without a limit, else {requests, intervalMs, count, ttlMs}.
 */
const TAKE_SCRIPT = `
local setting = redis.call('HGET', KEYS[1], ARGV[1])
if not setting then return {} end
local requests, interval = string.match(setting, '^(%d+):(%d+)$')
requests = tonumber(requests); interval = tonumber(interval)
local now = tonumber(ARGV[3])
local window = math.floor(now / interval)
local counter = ARGV[2] .. ARGV[1] .. ':' .. window
local count = redis.call('INCR', counter)
if count == 1 then redis.call('PEXPIRE', counter, interval) end
return {requests, interval, count, (window + 1) * interval - now}
`;

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

/** Reads, changes and enforces per-key rate limits in Redis. */
export class KeyRateLimits {
  constructor(
    private readonly redis: Redis,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** Counts one request of `keyId`; refused once the key's budget for the current window is spent. */
  async take(keyId: string): Promise<RateLimitTake> {
    const reply = (await this.redis.eval(TAKE_SCRIPT, 1, SETTINGS, keyId, COUNTER_PREFIX, String(this.nowMs()))) as number[];
    if (reply.length === 0) return { ok: true };
    const [requests, intervalMs, count, retryAfterMs] = reply as [number, number, number, number];
    return count <= requests ? { ok: true } : { ok: false, limit: { requests, intervalMs }, retryAfterMs };
  }

  /** The key's limit, or null when it has none. */
  async get(keyId: string): Promise<KeyRateLimit | null> {
    const setting = await this.redis.hget(SETTINGS, keyId);
    const match = setting ? /^(\d+):(\d+)$/.exec(setting) : null;
    return match ? { requests: Number(match[1]), intervalMs: Number(match[2]) } : null;
  }

  /** Sets the key's limit (null removes it); every process enforces it from its next request. */
  async set(keyId: string, limit: KeyRateLimit | null): Promise<void> {
    if (limit === null) await this.redis.hdel(SETTINGS, keyId);
    else await this.redis.hset(SETTINGS, keyId, `${limit.requests}:${limit.intervalMs}`);
  }
}
