/**
 * Billing over the database ledger: holds are placed, settled and voided with the ledger's
 * atomic operations; a key's spending limit is enforced in the same transaction as the hold.
 * A transaction Postgres aborts as a deadlock or serialization failure rolled back completely,
 * so it is retried (a few times, with jitter); every ledger operation used here is safe to repeat.
 */
import type { Db } from "../db/client.js";
import { placeHold, settleHold, voidHold } from "../ledger/index.js";
import type { Billing } from "./ports.js";

/** How long a hold lives if its request never ends (a crash); the expiry worker voids it. */
export const DEFAULT_HOLD_TTL_MS = 60 * 60_000;
const ATTEMPTS = 4;

/** Billing on `db` with holds that expire after `holdTtlMs`. */
export function createLedgerBilling(db: Db, holdTtlMs: number = DEFAULT_HOLD_TTL_MS): Billing {
  return {
    placeHold({ caller, amountNano, now }) {
      const key = { keyId: caller.keyId, limitNano: caller.limit?.limitNano ?? null, windowStart: caller.limit?.windowStart ?? new Date(0) };
      return retryTransient(() => placeHold(db, { accountId: caller.accountId, amountNano, key, now, ttlMs: holdTtlMs }));
    },
    settle({ holdId, usageNano, feeNano, now, metadata }) {
      return retryTransient(() => settleHold(db, { holdId, usageNano, feeNano, now, metadata }));
    },
    voidHold(holdId, now) {
      return retryTransient(() => voidHold(db, holdId, now));
    },
  };
}

/** Postgres SQLSTATEs of transactions aborted only because of concurrency. */
const TRANSIENT = /deadlock detected|could not serialize access|40P01|40001/;

function isTransient(error: unknown): boolean {
  for (let current: unknown = error; current; current = (current as { cause?: unknown }).cause) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (code === "40P01" || code === "40001" || (typeof message === "string" && TRANSIENT.test(message))) return true;
  }
  return false;
}

async function retryTransient<T>(operation: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= ATTEMPTS || !isTransient(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
    }
  }
}
