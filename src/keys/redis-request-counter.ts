import type { Redis } from "ioredis";
import type { RequestCounter } from "./rate-limit.js";

/**
 * KEYS[1] the window's counter, ARGV[1] the window's length (ms). Counts one request and, on the
 * window's first, makes the counter expire when the window is surely over: one Redis call.
 */
const COUNT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return count
`;

/**
 * Per-key request counters in Redis, shared by every gateway process so they spend one budget.
 * Redis holds only counters: losing them (a restart, a flush) merely restarts the current window.
 */
export class RedisRequestCounter implements RequestCounter {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix = "farebox:key-rate:",
  ) {}

  async count(keyId: string, windowStartMs: number, intervalMs: number): Promise<number> {
    const counter = `${this.keyPrefix}${keyId}:${windowStartMs}`;
    return Number(await this.redis.eval(COUNT_SCRIPT, 1, counter, String(intervalMs)));
  }
}
