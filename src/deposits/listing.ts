/** Read models of deposits for the account API and the admin API. */
import { and, desc, eq, inArray, lt, or } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { depositIntents, deposits } from "../db/schema/index.js";

/** A deposit row as stored. */
export type DepositRow = typeof deposits.$inferSelect;

/** The account's deposits, newest first. */
export async function listAccountDeposits(db: Db, accountId: string, limit: number): Promise<DepositRow[]> {
  return db.select().from(deposits).where(eq(deposits.accountId, accountId)).orderBy(desc(deposits.seenAt)).limit(limit);
}

/**
 * Deposits an account can see: its own, plus not-yet-attributed ones that are evidently its: sent
 * from its linked wallets (seen/confirming deposits are only attributed when they confirm), or parked
 * for the operator because they paid one of its intents after it had expired.
 */
export async function listDepositsForWallets(db: Db, accountId: string, wallets: string[], limit: number): Promise<DepositRow[]> {
  const own = await listAccountDeposits(db, accountId, limit);
  const ownIntents = db.select({ id: depositIntents.id }).from(depositIntents).where(eq(depositIntents.accountId, accountId));
  const unconfirmed = await db
    .select()
    .from(deposits)
    .where(
      or(
        wallets.length === 0 ? undefined : and(inArray(deposits.fromAddress, wallets), inArray(deposits.status, ["seen", "orphaned"])),
        and(eq(deposits.status, "unattributed"), inArray(deposits.intentId, ownIntents)),
      ),
    )
    .orderBy(desc(deposits.seenAt))
    .limit(limit);
  const byId = new Map([...own, ...unconfirmed].map((row) => [row.id, row]));
  return [...byId.values()].sort((a, b) => b.seenAt.getTime() - a.seenAt.getTime()).slice(0, limit);
}

/** Parked deposits awaiting an admin decision, oldest first; `before` pages by id order. */
export async function listUnattributed(db: Db, limit: number, before?: Date): Promise<DepositRow[]> {
  const conditions = [eq(deposits.status, "unattributed")];
  if (before) conditions.push(lt(deposits.seenAt, before));
  return db.select().from(deposits).where(and(...conditions)).orderBy(desc(deposits.seenAt)).limit(limit);
}
