import { and, eq, lt, sql } from "drizzle-orm";
import { atomically } from "../db/atomic.js";
import type { Db } from "../db/client.js";
import { accounts, holds, keySpend } from "../db/schema/index.js";
import { newId } from "../domain/ids.js";
import type { Nano } from "../domain/money.js";
import { postEntry } from "./entries.js";

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
 * Reserves `amountNano` of the account's available balance (and of the key's limit) in one
 * row-locked transaction: the conditional UPDATE is the gate, so any number of processes on one
 * Postgres can never together reserve more than the balance.
 */
export function placeHold(db: Db, input: PlaceHoldInput): Promise<PlaceHoldResult> {
  if (input.amountNano < 0n) throw new RangeError("a hold cannot be negative");
  return atomically<PlaceHoldResult>(db, async (tx, rollback) => {
    if (input.key) await reserveKeySpend(tx, input.key, input.amountNano, rollback);
    const reserved = await tx
      .update(accounts)
      .set({ heldNano: sql`${accounts.heldNano} + ${input.amountNano}` })
      .where(and(eq(accounts.id, input.accountId), sql`${accounts.balanceNano} - ${accounts.heldNano} >= ${input.amountNano}`))
      .returning({ id: accounts.id });
    if (reserved.length === 0) {
      const [account] = await tx
        .select({ available: sql<string>`${accounts.balanceNano} - ${accounts.heldNano}` })
        .from(accounts)
        .where(eq(accounts.id, input.accountId));
      return rollback(
        account
          ? { ok: false, reason: "insufficient_balance", availableNano: BigInt(account.available) }
          : { ok: false, reason: "no_account" },
      );
    }
    const holdId = newId("hold");
    const expiresAt = new Date(input.now.getTime() + input.ttlMs);
    await tx.insert(holds).values({
      id: holdId,
      accountId: input.accountId,
      keyId: input.key?.keyId ?? null,
      amountNano: input.amountNano,
      createdAt: input.now,
      expiresAt,
    });
    return { ok: true, holdId, expiresAt };
  });
}

async function reserveKeySpend(
  tx: Db,
  key: KeyScope,
  amountNano: Nano,
  rollback: (outcome: PlaceHoldResult) => never,
): Promise<void> {
  await tx.insert(keySpend).values({ keyId: key.keyId, windowStart: key.windowStart }).onConflictDoNothing();
  const windowStart = sql`${key.windowStart.toISOString()}::timestamptz`;
  const spentInWindow = sql`(case when ${keySpend.windowStart} < ${windowStart} then 0 else ${keySpend.windowSpentNano} end)`;
  const withinLimit =
    key.limitNano === null ? undefined : sql`${spentInWindow} + ${keySpend.heldNano} + ${amountNano} <= ${key.limitNano}`;
  const reserved = await tx
    .update(keySpend)
    .set({
      windowSpentNano: spentInWindow,
      windowStart: sql`greatest(${keySpend.windowStart}, ${windowStart})`,
      heldNano: sql`${keySpend.heldNano} + ${amountNano}`,
    })
    .where(and(eq(keySpend.keyId, key.keyId), withinLimit))
    .returning({ keyId: keySpend.keyId });
  if (reserved.length > 0) return;
  const [state] = await tx
    .select({ used: sql<string>`${spentInWindow} + ${keySpend.heldNano}` })
    .from(keySpend)
    .where(eq(keySpend.keyId, key.keyId));
  const remaining = (key.limitNano ?? 0n) - BigInt(state?.used ?? 0);
  rollback({ ok: false, reason: "key_limit", remainingNano: remaining < 0n ? 0n : remaining });
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
 * Ends an open hold by charging what was actually served (usage + fee ≤ hold): posts the usage
 * and fee entries (idempotent per hold), releases the reservation, adds to the key's spending.
 */
export function settleHold(db: Db, input: SettleInput): Promise<EndHoldResult> {
  if (input.usageNano < 0n || input.feeNano < 0n) throw new RangeError("charges are positive amounts");
  return atomically<EndHoldResult>(db, async (tx, rollback) => {
    const hold = await closeHold(tx, input.holdId, "settled", input.now, input.usageNano + input.feeNano);
    if (!hold) return rollback({ ok: false, reason: "not_open" });
    const total = input.usageNano + input.feeNano;
    if (total > hold.amountNano) return rollback({ ok: false, reason: "exceeds_hold" });
    const common = { accountId: hold.accountId, holdId: hold.id, keyId: hold.keyId, metadata: input.metadata ?? {} };
    if (input.usageNano > 0n) {
      await postEntry(tx, { ...common, kind: "usage", amountNano: -input.usageNano, idempotencyKey: `${hold.id}:usage` });
    }
    if (input.feeNano > 0n) {
      await postEntry(tx, { ...common, kind: "fee", amountNano: -input.feeNano, idempotencyKey: `${hold.id}:fee` });
    }
    if (hold.keyId) {
      await tx
        .update(keySpend)
        .set({
          heldNano: sql`${keySpend.heldNano} - ${hold.amountNano}`,
          windowSpentNano: sql`${keySpend.windowSpentNano} + ${total}`,
        })
        .where(eq(keySpend.keyId, hold.keyId));
    }
    return { ok: true };
  });
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
