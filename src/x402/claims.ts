/**
 * The store of payment authorizations farebox took up (x402_payments): inserting the row claims one
 * authorization for settlement, so a replayed payload, or one handed to two processes, is settled at
 * most once; the row then records how its settlement ended.
 */
import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { x402Payments, x402SignIns } from "../db/schema/index.js";
import { newId } from "../domain/ids.js";

/** Claims `(network, payer, nonce)`; false when it was claimed before (by any process). */
export async function claimAuthorization(db: Db, claim: { network: string; payer: string; nonce: string; amountBaseUnits: bigint; now: Date }): Promise<string | undefined> {
  const [row] = await db
    .insert(x402Payments)
    .values({ id: newId("x4p"), network: claim.network, payer: claim.payer, nonce: claim.nonce, amountBaseUnits: claim.amountBaseUnits, status: "settling", createdAt: claim.now })
    .onConflictDoNothing()
    .returning({ id: x402Payments.id });
  return row?.id;
}

/** Records a successful settlement. */
export async function markSettled(db: Db, id: string, transaction: string, now: Date): Promise<void> {
  await db.update(x402Payments).set({ status: "settled", transaction, settledAt: now }).where(and(eq(x402Payments.id, id), eq(x402Payments.status, "settling")));
}

/** Records a refused settlement: nothing moved on chain. */
export async function markFailed(db: Db, id: string, reason: string): Promise<void> {
  await db.update(x402Payments).set({ status: "failed", failureReason: reason.slice(0, 512) }).where(and(eq(x402Payments.id, id), eq(x402Payments.status, "settling")));
}

/** Uses a sign-in proof's nonce; false when it was used before (by any process). */
export async function useSignInNonce(db: Db, nonce: string, address: string, now: Date): Promise<boolean> {
  const rows = await db.insert(x402SignIns).values({ nonce, address, usedAt: now }).onConflictDoNothing().returning({ nonce: x402SignIns.nonce });
  return rows.length > 0;
}
