import { sql, type SQL } from "drizzle-orm";
import { preparedRows, queryRows, type Db } from "../db/client.js";
import { holds } from "../db/schema/index.js";
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
  /** The least to reserve; refused when not available. */
  amountNano: Nano;
  /**
   * Reserve more, up to this, when it is free: half of what is free beyond `amountNano` at most
   * (a hold shared by many requests). Absent: exactly `amountNano`.
   */
  upToNano?: Nano;
  key?: KeyScope;
  now: Date;
  ttlMs: number;
}

export type PlaceHoldResult =
  | { ok: true; holdId: string; expiresAt: Date; amountNano: Nano }
  | { ok: false; reason: "insufficient_balance"; availableNano: Nano }
  | { ok: false; reason: "key_limit"; remainingNano: Nano }
  | { ok: false; reason: "no_account" };

/**
 * Reserves `amountNano` (up to `upToNano`) of the account's available balance and of the key's
 * limit through `farebox_place_hold` (src/ledger/sql/ledger-functions.sql): one round trip that locks
 * the account row only while it runs, so any number of processes on one Postgres can never
 * together reserve more than the balance.
 */
export async function placeHold(db: Db, input: PlaceHoldInput): Promise<PlaceHoldResult> {
  if (input.amountNano < 0n) throw new RangeError("a hold cannot be negative");
  const holdId = newId("hold");
  const expiresAt = new Date(input.now.getTime() + input.ttlMs);
  const [row] = await preparedRows<{ outcome: string; figure: string | bigint }>(
    db,
    sql`select outcome, figure::text as figure from farebox_place_hold(
          ${holdId}, ${input.accountId}, ${input.key?.keyId ?? null}, ${input.amountNano.toString()}::bigint,
          ${(input.upToNano ?? input.amountNano).toString()}::bigint, ${input.key?.limitNano?.toString() ?? null}::bigint, ${(input.key?.windowStart ?? new Date(0)).toISOString()}::timestamptz,
          ${input.now.toISOString()}::timestamptz, ${expiresAt.toISOString()}::timestamptz)`,
  );
  const figure = BigInt(row?.figure ?? 0);
  switch (row?.outcome) {
    case "ok":
      return { ok: true, holdId, expiresAt, amountNano: figure };
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
export async function voidHold(db: Db, holdId: string, now: Date): Promise<EndHoldResult> {
  const [row] = await queryRows<{ outcome: string }>(
    db,
    sql`select farebox_release_hold(${holdId}, ${now.toISOString()}::timestamptz, 'voided') as outcome`,
  );
  return row?.outcome === "ok" ? { ok: true } : { ok: false, reason: "not_open" };
}

/**
 * One item of a batch. With `chargeKey`: one request's charge on a shared hold, which stays open
 * (idempotent per key). Without: the hold ends, settled at usage + fee when positive, released
 * otherwise.
 */
export interface HoldEnding {
  holdId: string;
  usageNano: Nano;
  feeNano: Nano;
  chargeKey?: string;
  metadata?: Record<string, unknown>;
}

/** A batch item's result; `duplicate`: that charge key was already charged. */
export type HoldEndingResult = { ok: true } | { ok: false; reason: "not_open" | "exceeds_hold" | "duplicate" };

/**
 * Ends or charges many holds in one statement (`farebox_end_holds`, src/ledger/sql/ledger-functions.sql),
 * in the ledger's one lock order so concurrent batches, expiry and new holds cannot deadlock. Returns each item's result, in order.
 * `withStatement` lets a caller add its own data-modifying statement to the same round trip
 * and transaction (the gateway stores the generation records with their settlements).
 */
export async function endHolds(
  db: Db,
  endings: readonly HoldEnding[],
  now: Date,
  withStatement?: SQL,
): Promise<HoldEndingResult[]> {
  const items = endings.map((ending) => {
    if (ending.usageNano < 0n || ending.feeNano < 0n) throw new RangeError("charges are positive amounts");
    return {
      hold_id: ending.holdId,
      usage_nano: ending.usageNano.toString(),
      fee_nano: ending.feeNano.toString(),
      metadata: ending.metadata ?? {},
      ...(ending.chargeKey !== undefined ? { charge_key: ending.chargeKey } : {}),
    };
  });
  const ended = sql`select item_index, outcome from farebox_end_holds(${JSON.stringify(items)}::jsonb, ${now.toISOString()}::timestamptz)`;
  const rows = await preparedRows<{ item_index: string | number; outcome: string }>(
    db,
    withStatement ? sql`with ended as (${ended}), side as (${withStatement}) select item_index, outcome from ended` : ended,
  );
  const results: HoldEndingResult[] = [];
  for (const row of rows) {
    const index = Number(row.item_index) - 1;
    if (row.outcome === "ok") results[index] = { ok: true };
    else if (row.outcome === "not_open" || row.outcome === "exceeds_hold" || row.outcome === "duplicate") results[index] = { ok: false, reason: row.outcome };
    else throw new Error(`farebox_end_holds answered ${row.outcome} for ${endings[index]?.holdId}`);
  }
  return results;
}

/**
 * Extends the open holds among `holdIds` to expire no sooner than `expiresAt`, in one statement
 * (a live process renewing all its leases at once); returns the ids that are still open. Rows are
 * locked in the order every ledger write takes holds (src/ledger/sql/ledger-functions.sql), and
 * nothing after them, so a renewal and a batch of charges never deadlock.
 */
export async function renewHolds(db: Db, holdIds: readonly string[], expiresAt: Date): Promise<string[]> {
  if (holdIds.length === 0) return [];
  const rows = await preparedRows<{ id: string }>(
    db,
    sql`update ${holds} h set expires_at = greatest(h.expires_at, ${expiresAt.toISOString()}::timestamptz)
        from (select id from ${holds}
              where id in (select jsonb_array_elements_text(${JSON.stringify(holdIds)}::jsonb)) and status = 'open'
              order by account_id, id for update) due
        where h.id = due.id
        returning h.id`,
  );
  return rows.map((row) => row.id);
}

/**
 * Expires every open hold whose TTL has passed; returns how many. Run by a worker and at start.
 * Each `farebox_release_hold` locks the hold's account before the hold, and the holds come in
 * account order, as the ledger's lock order requires.
 */
export async function expireHolds(db: Db, now: Date, batchSize = 500): Promise<number> {
  let total = 0;
  for (;;) {
    const rows = await preparedRows<{ outcome: string }>(
      db,
      sql`select farebox_release_hold(due.id, ${now.toISOString()}::timestamptz, 'expired') as outcome
          from (select id, account_id from ${holds} where status = 'open' and expires_at < ${now.toISOString()}::timestamptz
                order by account_id, id limit ${batchSize}) due`,
    );
    total += rows.filter((row) => row.outcome === "ok").length;
    if (rows.length < batchSize) return total;
  }
}
