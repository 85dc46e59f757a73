import { and, eq, lt, sql } from "drizzle-orm";
import { atomically } from "../db/atomic.js";
import { queryRows, type Db } from "../db/client.js";
import { accounts, holds, keySpend } from "../db/schema/index.js";
import { newId } from "../domain/ids.js";
import type { Nano } from "../domain/money.js";

/** The key a hold is charged to, with its limit for the current window (null: no limit). */
export interface KeyScope {
  keyId: string;
  limitNano: Nano | null;
  /** Start of the key's current limit window (UTC); spending before it no longer counts. */
  windowStart: Date;
}

export interface PlaceHoldInput {
  accountId: string;
  amountNano: Nano;
  key?: KeyScope;
  now: Date;
  ttlMs: number;
}

export type PlaceHoldResult =
  | { ok: true; holdId: string; expiresAt: Date }
  | { ok: false; reason: "insufficient_balance"; availableNano: Nano }
  | { ok: false; reason: "key_limit"; remainingNano: Nano }
  | { ok: false; reason: "no_account" };

/**
 * Reserves `amountNano` of the account's available balance (and of the key's limit) through
 * `farebox_place_hold` (drizzle/0001_ledger_functions.sql): one round trip that locks the account
 * row only while it runs, so any number of processes on one Postgres can never together reserve
 * more than the balance, and one account's requests do not queue behind each other's round trips.
 */
export async function placeHold(db: Db, input: PlaceHoldInput): Promise<PlaceHoldResult> {
  if (input.amountNano < 0n) throw new RangeError("a hold cannot be negative");
  const holdId = newId("hold");
  const expiresAt = new Date(input.now.getTime() + input.ttlMs);
  const [row] = await queryRows<{ outcome: string; figure: string | bigint }>(
    db,
    sql`select outcome, figure::text as figure from farebox_place_hold(
          ${holdId}, ${input.accountId}, ${input.key?.keyId ?? null}, ${input.amountNano.toString()}::bigint,
          ${input.key?.limitNano?.toString() ?? null}::bigint, ${(input.key?.windowStart ?? new Date(0)).toISOString()}::timestamptz,
          ${input.now.toISOString()}::timestamptz, ${expiresAt.toISOString()}::timestamptz)`,
  );
  const figure = BigInt(row?.figure ?? 0);
  switch (row?.outcome) {
    case "ok":
      return { ok: true, holdId, expiresAt };
    case "insufficient_balance":
      return { ok: false, reason: "insufficient_balance", availableNano: figure };
    case "key_limit":
      return { ok: false, reason: "key_limit", remainingNano: figure };
    case "no_account":
      return { ok: false, reason: "no_account" };
    default:
      throw new Error(`farebox_place_hold answered ${String(row?.outcome)}`);
  }
}

export interface SettleInput {
  holdId: string;
  /** Provider list price of what was served (positive). */
  usageNano: Nano;
  /** farebox's fee on top (positive). */
  feeNano: Nano;
  now: Date;
  metadata?: Record<string, unknown>;
}

export type EndHoldResult = { ok: true } | { ok: false; reason: "not_open" | "exceeds_hold" };

/**
 * Ends an open hold by charging what was actually served (usage + fee ≤ hold) through
 * `farebox_settle_hold`, in one round trip: posts the usage and fee entries (idempotent per
 * hold), releases the reservation and adds to the key's spending.
 */
export async function settleHold(db: Db, input: SettleInput): Promise<EndHoldResult> {
  if (input.usageNano < 0n || input.feeNano < 0n) throw new RangeError("charges are positive amounts");
  const [row] = await queryRows<{ outcome: string }>(
    db,
    sql`select farebox_settle_hold(${input.holdId}, ${input.usageNano.toString()}::bigint, ${input.feeNano.toString()}::bigint,
          ${input.now.toISOString()}::timestamptz, ${JSON.stringify(input.metadata ?? {})}::jsonb) as outcome`,
  );
  switch (row?.outcome) {
    case "ok":
      return { ok: true };
    case "not_open":
    case "exceeds_hold":
      return { ok: false, reason: row.outcome };
    default:
      throw new Error(`farebox_settle_hold answered ${String(row?.outcome)}`);
  }
}

/** Ends an open hold without charging anything (the request failed or produced nothing). */
export function voidHold(db: Db, holdId: string, now: Date): Promise<EndHoldResult> {
  return atomically<EndHoldResult>(db, async (tx, rollback) => {
    const hold = await closeHold(tx, holdId, "voided", now, 0n);
    if (!hold) return rollback({ ok: false, reason: "not_open" });
    await releaseKeyHold(tx, hold.keyId, hold.amountNano);
    return { ok: true };
  });
}

/** Expires every open hold whose TTL has passed; returns how many. Run by a worker and at start. */
export async function expireHolds(db: Db, now: Date, batchSize = 500): Promise<number> {
  let total = 0;
  for (;;) {
    const expired = await atomically(db, async (tx) => {
      const due = await tx
        .select({ id: holds.id })
        .from(holds)
        .where(and(eq(holds.status, "open"), lt(holds.expiresAt, now)))
        .limit(batchSize);
      let count = 0;
      for (const { id } of due) {
        const hold = await closeHold(tx, id, "expired", now, 0n);
        if (!hold) continue;
        await releaseKeyHold(tx, hold.keyId, hold.amountNano);
        count += 1;
      }
      return count;
    });
    total += expired;
    if (expired < batchSize) return total;
  }
}

/** Marks an open hold ended and releases its reservation on the account; null if it was not open. */
async function closeHold(tx: Db, holdId: string, status: "settled" | "voided" | "expired", now: Date, settledNano: Nano) {
  const [hold] = await tx
    .update(holds)
    .set({ status, endedAt: now, settledNano })
    .where(and(eq(holds.id, holdId), eq(holds.status, "open")))
    .returning();
  if (!hold) return null;
  await tx
    .update(accounts)
    .set({ heldNano: sql`${accounts.heldNano} - ${hold.amountNano}` })
    .where(eq(accounts.id, hold.accountId));
  return hold;
}

async function releaseKeyHold(tx: Db, keyId: string | null, amountNano: Nano): Promise<void> {
  if (!keyId) return;
  await tx
    .update(keySpend)
    .set({ heldNano: sql`${keySpend.heldNano} - ${amountNano}` })
    .where(eq(keySpend.keyId, keyId));
}
