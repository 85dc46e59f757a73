/**
 * A credited deposit whose transaction left the canonical chain (a reorg deeper than the credit depth,
 * its nonce spent by another transaction) becomes a visible liability instead of staying `credited`:
 * status `reversed` and a reversing ledger entry, in the transaction that moves the listener's cursor.
 * Only `finalized` confirmations make this impossible (README, "Wallet sign-in and EVM deposits").
 */
import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { deposits } from "../db/schema/index.js";
import { postEntry } from "../ledger/index.js";

/** Ledger idempotency key of the entry that takes a deposit's credit back from the block it was in. */
export function reversalLedgerKey(creditKey: string, blockHash: string | null): string {
  return `reversal:${creditKey}:${blockHash ?? ""}`;
}

/** Ledger idempotency key of the entry that restores a reversed deposit's credit when its transaction returns. */
export function restoreLedgerKey(creditKey: string, blockHash: string | null): string {
  return `restore:${creditKey}:${blockHash ?? ""}`;
}

/** Marks a credited deposit reversed and posts its reversing entry; false if it was not credited (any more). */
export async function reverseDeposit(db: Db, depositId: string, now: Date): Promise<boolean> {
  const [row] = await db
    .update(deposits)
    .set({ status: "reversed", confirmedAt: now })
    .where(and(eq(deposits.id, depositId), eq(deposits.status, "credited")))
    .returning();
  if (!row || !row.accountId || row.valueNano === null || !row.ledgerIdempotencyKey) return row !== undefined;
  await postEntry(db, {
    accountId: row.accountId,
    kind: "deposit",
    amountNano: -row.valueNano,
    idempotencyKey: reversalLedgerKey(row.ledgerIdempotencyKey, row.blockHash),
    metadata: {
      deposit_id: row.id,
      chain: row.chain,
      tx: row.txId,
      index: row.logIndex,
      asset: row.asset,
      amount_base_units: row.amountBaseUnits.toString(),
      reversal: true,
      reason: "transaction no longer on the canonical chain",
    },
  });
  return true;
}

/**
 * A reversed deposit whose transaction came back on chain (re-mined from the mempool after the reorg):
 * credited again, once per block it returns in. Call after its row was moved to the new position.
 */
export async function restoreDeposit(db: Db, depositId: string, now: Date): Promise<boolean> {
  const [row] = await db
    .update(deposits)
    .set({ status: "credited", confirmedAt: now, creditedAt: now })
    .where(and(eq(deposits.id, depositId), eq(deposits.status, "reversed")))
    .returning();
  if (!row || !row.accountId || row.valueNano === null || !row.ledgerIdempotencyKey) return false;
  await postEntry(db, {
    accountId: row.accountId,
    kind: "deposit",
    amountNano: row.valueNano,
    idempotencyKey: restoreLedgerKey(row.ledgerIdempotencyKey, row.blockHash),
    metadata: { deposit_id: row.id, chain: row.chain, tx: row.txId, index: row.logIndex, asset: row.asset, amount_base_units: row.amountBaseUnits.toString(), restored: true },
  });
  return true;
}
