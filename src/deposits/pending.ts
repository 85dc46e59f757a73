/**
 * Deposits seen above the credit depth: recorded as "seen" with their confirmation count so users can
 * watch them confirm, and marked orphaned when their block leaves the canonical chain. Nothing here
 * touches the ledger.
 */
import { and, between, eq, gt, inArray, sql } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { deposits } from "../db/schema/index.js";
import { newId } from "../domain/ids.js";
import type { DepositObservation } from "../chains/observation.js";
import { observationColumns, rowObservation } from "./observation-columns.js";
import { adoptReincluded } from "./reinclusion.js";

/** Records (or refreshes) observations that are not deep enough to credit yet. */
export async function recordSeen(db: Db, observations: { observation: DepositObservation; confirmations: number }[], now: Date): Promise<void> {
  for (const { observation: o, confirmations } of observations) {
    const adopted = await adoptReincluded(db, o, false);
    if (adopted === "settled" || adopted === "reversed") continue;
    const values = {
      ...observationColumns(o),
      status: "seen" as const,
      confirmations,
    };
    await db
      .insert(deposits)
      .values({ id: newId("dep"), chain: o.chain, txId: o.txId, logIndex: o.index, asset: o.asset, seenAt: now, ...values })
      .onConflictDoUpdate({
        target: [deposits.chain, deposits.txId, deposits.logIndex, deposits.asset],
        set: values,
        setWhere: inArray(deposits.status, ["seen", "orphaned"]),
      });
  }
}

/** Seen deposits of a chain above `aboveBlock`, as the observations they were recorded from. */
export async function seenAbove(db: Db, chain: string, aboveBlock: bigint): Promise<(DepositObservation & { id: string })[]> {
  const rows = await db
    .select()
    .from(deposits)
    .where(and(eq(deposits.chain, chain), eq(deposits.status, "seen"), gt(deposits.blockOrSlot, aboveBlock)));
  return rows.map((row) => ({ ...rowObservation(row), id: row.id }));
}

/** Marks the given seen deposits orphaned (their block was replaced). */
export async function markOrphaned(db: Db, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.update(deposits).set({ status: "orphaned" }).where(and(inArray(deposits.id, ids), eq(deposits.status, "seen")));
}

/** A stored deposit as the observation it was recorded from, with its id and status. */
export type RecordedDeposit = DepositObservation & { id: string; status: (typeof deposits.$inferSelect)["status"] };

async function inRange(db: Db, chain: string, status: "seen" | "credited", from: bigint, to: bigint): Promise<RecordedDeposit[]> {
  const rows = await db
    .select()
    .from(deposits)
    .where(and(eq(deposits.chain, chain), eq(deposits.status, status), between(deposits.blockOrSlot, from, to)));
  return rows.map((row) => ({ ...rowObservation(row), id: row.id, status: row.status }));
}

/** Seen deposits of a chain recorded in blocks [from, to], as observations to re-check. */
export function seenInRange(db: Db, chain: string, from: bigint, to: bigint): Promise<RecordedDeposit[]> {
  return inRange(db, chain, "seen", from, to);
}

/** Credited deposits of a chain recorded in blocks [from, to] (re-checked when a reorg replaced their block). */
export function creditedInRange(db: Db, chain: string, from: bigint, to: bigint): Promise<RecordedDeposit[]> {
  return inRange(db, chain, "credited", from, to);
}


/** Sets every seen deposit's confirmation count from the current head. */
export async function refreshConfirmations(db: Db, chain: string, latest: bigint): Promise<void> {
  await db
    .update(deposits)
    .set({ confirmations: sql`greatest(0, ${latest.toString()}::bigint - ${deposits.blockOrSlot} + 1)::int` })
    .where(and(eq(deposits.chain, chain), eq(deposits.status, "seen")));
}
