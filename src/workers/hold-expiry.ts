import type { FastifyBaseLogger } from "fastify";
import type { Db } from "../db/client.js";
import { expireHolds } from "../ledger/index.js";
import { runEvery } from "./run-every.js";

/** Expires holds whose TTL passed, every `intervalMs`, until `signal` aborts. */
export function runHoldExpiry(options: {
  db: Db;
  intervalMs: number;
  clock: () => Date;
  signal: AbortSignal;
  log: FastifyBaseLogger;
}): Promise<void> {
  return runEvery(options.intervalMs, options.signal, async () => {
    const expired = await expireHolds(options.db, options.clock());
    if (expired > 0) options.log.info({ expired }, "expired stale holds");
  }, (error) => options.log.error({ err: error }, "hold expiry pass failed"));
}
