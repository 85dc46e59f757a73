import { createRequire } from "node:module";
import type * as IORedis from "ioredis";
import type { Redis } from "ioredis";

/**
 * The process's Redis connection for counters shared by every gateway process (rate limits).
 * ioredis reconnects by itself; a command issued while Redis is away fails after one retry,
 * and any command times out after 250 ms, so a Redis outage surfaces as an error, never a hang.
 * Connection errors go to `onError` (each one once per reconnect attempt), not to stderr.
 * ioredis (a CommonJS package: ≈10 MB and a fifth of a second to load) is loaded here, on first
 * use, so a gateway without REDIS_URL never loads it.
 */
export function createRedisClient(url: string, onError: (error: Error) => void): Redis {
  const { Redis: RedisClient } = createRequire(import.meta.url)("ioredis") as typeof IORedis;
  const redis = new RedisClient(url, { maxRetriesPerRequest: 1, enableAutoPipelining: true, connectTimeout: 2_000, commandTimeout: 250 });
  redis.on("error", onError);
  return redis;
}
