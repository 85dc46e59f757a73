/**
 * Idempotent crediting of confirmed deposits. Runs inside the caller's transaction, which also moves
 * the chain cursor, so credits and cursor commit together. The deposit row's unique observation key is
 * claimed before the ledger entry is posted, and the ledger entry's idempotency key is derived from the
 * same observation: a restart, a replay or a second listener never credits twice.
 */
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { depositIntents, deposits } from "../db/schema/index.js";
import { newId } from "../domain/ids.js";
import { postEntry } from "../ledger/index.js";
import { observationKey, type DepositObservation } from "../chains/observation.js";
import { attributeDeposit, expiredIntentForAmount, paidAt } from "./attribution.js";
import { observationColumns, rowObservation } from "./observation-columns.js";
import { adoptReincluded } from "./reinclusion.js";
import { restoreDeposit } from "./reversal.js";
import type { Attribution, DepositRate } from "./types.js";

/** Ledger idempotency key for a deposit credit. */
export function depositLedgerKey(observation: Pick<DepositObservation, "chain" | "txId" | "index" | "asset">): string {
  return `deposit:${observationKey(observation)}`;
}

/** What happened to one confirmed observation. */
export type ConfirmOutcome = "credited" | "unattributed" | "already_done";

/** A confirmed observation with its value at credit time. */
export interface ValuedObservation {
  observation: DepositObservation;
  valueNano: bigint;
  rate?: DepositRate;
}

/** Posts the ledger credit for a deposit row that has just been attributed. */
async function postCredit(db: Db, depositId: string, v: ValuedObservation, who: Attribution): Promise<void> {
  const o = v.observation;
  await postEntry(db, {
    accountId: who.accountId,
    kind: "deposit",
    amountNano: v.valueNano,
    idempotencyKey: depositLedgerKey(o),
    metadata: {
      deposit_id: depositId,
      chain: o.chain,
      tx: o.txId,
      index: o.index,
      asset: o.asset,
      amount_base_units: o.amountBaseUnits.toString(),
      attribution: who.attribution,
      ...(v.rate ? { rate_answer: v.rate.answer.toString(), rate_decimals: v.rate.decimals, rate_round: v.rate.round } : {}),
    },
  });
  if (who.intentId) {
    await db
      .update(depositIntents)
      .set({ status: "matched", depositId })
      .where(and(eq(depositIntents.id, who.intentId), sql`${depositIntents.depositId} is null`));
  }
}

/**
 * Records one confirmed observation: credits it to its account (the full value; fees apply to usage,
 * not deposits) or parks it as unattributed. A row already credited or parked is left alone.
 */
export async function confirmDeposit(db: Db, valued: ValuedObservation, now: Date): Promise<ConfirmOutcome> {
  let v = valued;
  const o = v.observation;
  const adopted = await adoptReincluded(db, o, true);
  if (adopted === "settled") return "already_done";
  if (adopted === "reversed") return (await restoreDepositById(db, o, now)) ? "credited" : "already_done";
  const [existing] = await db
    .select({ id: deposits.id, status: deposits.status, seenAt: deposits.seenAt })
    .from(deposits)
    .where(and(eq(deposits.chain, o.chain), eq(deposits.txId, o.txId), eq(deposits.logIndex, o.index), eq(deposits.asset, o.asset)));
  if (existing && (existing.status === "credited" || existing.status === "unattributed")) return "already_done";
  const seenAt = existing?.seenAt ?? now;
  const who = await attributeDeposit(db, o, seenAt);
  if (who?.intentId && v.rate) v = { ...v, valueNano: await honouredValue(db, who.intentId, o, paidAt(o, seenAt), v.valueNano) };
  const status = who ? "credited" : "unattributed";
  const expiredIntent = who ? undefined : await expiredIntentForAmount(db, o, paidAt(o, seenAt));
  const values = {
    ...observationColumns(o),
    status,
    accountId: who?.accountId ?? null,
    attribution: who?.attribution ?? null,
    intentId: who?.intentId ?? expiredIntent ?? null,
    valueNano: v.valueNano,
    rateAnswer: v.rate?.answer ?? null,
    rateDecimals: v.rate?.decimals ?? null,
    rateRound: v.rate?.round ?? null,
    ledgerIdempotencyKey: who ? depositLedgerKey(o) : null,
    confirmedAt: now,
    creditedAt: who ? now : null,
  } as const;
  // Claim the observation: only a new row, or one still seen/orphaned, moves on. Concurrent claimers
  // serialize on the unique index; the loser updates nothing and credits nothing.
  const [claimed] = await db
    .insert(deposits)
    .values({ id: newId("dep"), chain: o.chain, txId: o.txId, logIndex: o.index, asset: o.asset, seenAt, ...values })
    .onConflictDoUpdate({
      target: [deposits.chain, deposits.txId, deposits.logIndex, deposits.asset],
      set: values,
      setWhere: inArray(deposits.status, ["seen", "orphaned"]),
    })
    .returning({ id: deposits.id });
  if (!claimed) return "already_done";
  if (who) await postCredit(db, claimed.id, v, who);
  return status;
}

/**
 * Credits a parked (unattributed) deposit to an account chosen by the admin (or to the account its
 * sender's wallet was linked to since), at the value fixed when it confirmed. Call inside a transaction. Returns false when the deposit does not exist or is not parked.
 */
export async function assignDeposit(db: Db, depositId: string, accountId: string, now: Date, attribution: "admin" | "wallet" = "admin"): Promise<boolean> {
  const [row] = await db
    .select()
    .from(deposits)
    .where(and(eq(deposits.id, depositId), eq(deposits.status, "unattributed")))
    .for("update");
  if (!row || row.valueNano === null) return false;
  const observation = rowObservation(row);
  await db
    .update(deposits)
    .set({ status: "credited", accountId, attribution, creditedAt: now, ledgerIdempotencyKey: depositLedgerKey(observation) })
    .where(eq(deposits.id, depositId));
  const rate =
    row.rateAnswer !== null && row.rateDecimals !== null ? { answer: row.rateAnswer, decimals: row.rateDecimals, round: row.rateRound ?? "" } : undefined;
  await postCredit(db, depositId, { observation, valueNano: row.valueNano, rate }, { accountId, attribution });
  return true;
}

/** Restores the credit of the reversed row now at the observation's key. */
async function restoreDepositById(db: Db, o: DepositObservation, now: Date): Promise<boolean> {
  const [row] = await db
    .select({ id: deposits.id })
    .from(deposits)
    .where(and(eq(deposits.chain, o.chain), eq(deposits.txId, o.txId), eq(deposits.logIndex, o.index), eq(deposits.asset, o.asset)));
  return row ? restoreDeposit(db, row.id, now) : false;
}

/**
 * The value credited for a payment of a priced asset (ETH, SOL) to an intent: the USD amount the intent quoted when it was paid at
 * its exact amount within its window (the payer priced the asset at that quote; a feed move while the
 * payment confirmed must not change what they get), else the value at credit time.
 */
async function honouredValue(db: Db, intentId: string, o: DepositObservation, paidAtTime: Date, valueNano: bigint): Promise<bigint> {
  const [intent] = await db
    .select({ asset: depositIntents.asset, amount: depositIntents.amountBaseUnits, usdNano: depositIntents.amountUsdNano, createdAt: depositIntents.createdAt, expiresAt: depositIntents.expiresAt })
    .from(depositIntents)
    .where(eq(depositIntents.id, intentId));
  if (!intent || intent.amount !== o.amountBaseUnits || intent.asset !== o.asset) return valueNano;
  const inWindow = intent.createdAt.getTime() <= paidAtTime.getTime() + 999 && paidAtTime < intent.expiresAt;
  return inWindow ? intent.usdNano : valueNano;
}
