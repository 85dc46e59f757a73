/**
 * Billing over the database ledger: holds are placed, settled and voided with the ledger's
 * atomic operations; a key's spending limit is enforced in the same transaction as the hold.
 */
import type { Db } from "../db/client.js";
import { placeHold, settleHold, voidHold } from "../ledger/index.js";
import type { Billing } from "./ports.js";

/** How long a hold lives if its request never ends (a crash); the expiry worker voids it. */
export const DEFAULT_HOLD_TTL_MS = 60 * 60_000;

/** Billing on `db` with holds that expire after `holdTtlMs`. */
export function createLedgerBilling(db: Db, holdTtlMs: number = DEFAULT_HOLD_TTL_MS): Billing {
  return {
    async placeHold({ caller, amountNano, now }) {
      const key = { keyId: caller.keyId, limitNano: caller.limit?.limitNano ?? null, windowStart: caller.limit?.windowStart ?? new Date(0) };
      // The ledger's result has the same shape as HoldOutcome (the expiry time is not needed here).
      return placeHold(db, { accountId: caller.accountId, amountNano, key, now, ttlMs: holdTtlMs });
    },
    async settle({ holdId, usageNano, feeNano, now, metadata }) {
      return settleHold(db, { holdId, usageNano, feeNano, now, metadata });
    },
    async voidHold(holdId, now) {
      return voidHold(db, holdId, now);
    },
  };
}
