/**
 * A transaction that a reorg moved to another block keeps its identity: the same transaction, sender,
 * recipient, asset and amount is the same deposit even when its log index changed. Its row is moved to
 * the new position instead of a second row (and a second credit) being created.
 */
import { and, asc, eq, isNull, ne, or } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { deposits } from "../db/schema/index.js";
import type { DepositObservation } from "../chains/observation.js";

/** A stored deposit row as far as re-inclusion needs it. */
export interface ReincludedRow {
  id: string;
  status: (typeof deposits.$inferSelect)["status"];
  blockHash: string | null;
}

/**
 * The row of the same transfer recorded from another block, when no row exists at the observation's own
 * key. Identical transfers within one transaction share a block, so they never match each other.
 */
export async function findReincluded(db: Db, o: DepositObservation): Promise<ReincludedRow | undefined> {
  const [row] = await db
    .select({ id: deposits.id, status: deposits.status, blockHash: deposits.blockHash })
    .from(deposits)
    .where(
      and(
        eq(deposits.chain, o.chain),
        eq(deposits.txId, o.txId),
        eq(deposits.asset, o.asset),
        eq(deposits.fromAddress, o.from),
        eq(deposits.toAddress, o.to),
        eq(deposits.amountBaseUnits, o.amountBaseUnits),
        ne(deposits.logIndex, o.index),
        o.blockHash === undefined ? isNull(deposits.blockHash) : or(isNull(deposits.blockHash), ne(deposits.blockHash, o.blockHash)),
      ),
    )
    .orderBy(asc(deposits.logIndex))
    .limit(1);
  return row;
}

/** Moves a row to where its transfer now sits (log index, block, block hash); status and credit are kept. */
export async function moveToObservation(db: Db, id: string, o: DepositObservation): Promise<void> {
  await db.update(deposits).set({ logIndex: o.index, blockOrSlot: o.blockOrSlot, blockHash: o.blockHash ?? null }).where(eq(deposits.id, id));
}

/**
 * Before an observation is recorded or credited: if its transfer was recorded from another block, move
 * that row here. "settled": it was credited or parked, nothing new to record; "reversed": its credit was
 * taken back when it left the chain and it is back on chain (moved here only when `confirmed`, so that
 * the caller restores the credit at the credit depth); "moved": a seen or orphaned row now sits here.
 */
export async function adoptReincluded(db: Db, o: DepositObservation, confirmed: boolean): Promise<"settled" | "moved" | "reversed" | "none"> {
  const [atKey] = await db
    .select({ id: deposits.id, status: deposits.status, blockHash: deposits.blockHash })
    .from(deposits)
    .where(and(eq(deposits.chain, o.chain), eq(deposits.txId, o.txId), eq(deposits.logIndex, o.index), eq(deposits.asset, o.asset)));
  const row = atKey ?? (await findReincluded(db, o));
  if (!row) return "none";
  if (row.status === "reversed") {
    if (!confirmed) return "settled";
    if (atKey && atKey.blockHash === (o.blockHash ?? null)) return "settled";
    await moveToObservation(db, row.id, o);
    return "reversed";
  }
  if (atKey) return "none";
  await moveToObservation(db, row.id, o);
  return row.status === "seen" || row.status === "orphaned" ? "moved" : "settled";
}
