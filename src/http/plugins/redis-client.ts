import { Redis } from "ioredis";

/**
 * The process's Redis connection for counters shared by every gateway process (rate limits).
 * ioredis reconnects by itself; a command issued while Redis is away fails after one retry,
 * and any command times out after 250 ms, so a Redis outage surfaces as an error, never a hang.
 * Connection errors go to `onError` (each one once per reconnect attempt), not to stderr.
 */
export function createRedisClient(url: string, onError: (error: Error) => void): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, enableAutoPipelining: true, connectTimeout: 2_000, commandTimeout: 250 });
  redis.on("error", onError);
  return redis;
}
