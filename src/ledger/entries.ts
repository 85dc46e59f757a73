import { eq, sql } from "drizzle-orm";
import { queryRows, type Db } from "../db/client.js";
import { ledgerEntries } from "../db/schema/index.js";
import type { Nano } from "../domain/money.js";

export type EntryKind = (typeof ledgerEntries.$inferSelect)["kind"];

export interface NewEntry {
  accountId: string;
  kind: EntryKind;
  /** Positive credits, negative debits. */
  amountNano: Nano;
  /** Caller-chosen and unique: a replay of the same key changes nothing. */
  idempotencyKey: string;
  holdId?: string | null;
  keyId?: string | null;
  metadata?: Record<string, unknown>;
}

export type PostResult = { status: "posted"; entryId: bigint } | { status: "duplicate"; entryId: bigint };

/**
 * Appends one entry and moves the account's cached balance with it, in one statement: either
 * both happen or neither. A replayed idempotency key inserts nothing and reports the original.
 * Works on a Db or inside a transaction (deposits move their cursor in the same transaction).
 */
export async function postEntry(db: Db, entry: NewEntry): Promise<PostResult> {
  const rows = await queryRows<{ id: string | bigint }>(
    db,
    sql`with inserted as (
          insert into ledger_entries (account_id, kind, amount_nano, idempotency_key, hold_id, key_id, metadata)
          values (${entry.accountId}, ${entry.kind}, ${entry.amountNano.toString()}::bigint, ${entry.idempotencyKey},
                  ${entry.holdId ?? null}, ${entry.keyId ?? null}, ${JSON.stringify(entry.metadata ?? {})}::jsonb)
          on conflict (idempotency_key) do nothing
          returning id, account_id, amount_nano
        ), moved as (
          update accounts set balance_nano = accounts.balance_nano + inserted.amount_nano
          from inserted where accounts.id = inserted.account_id
          returning accounts.id
        )
        select inserted.id from inserted`,
  );
  if (rows[0]) return { status: "posted", entryId: BigInt(rows[0].id) };
  const [existing] = await db
    .select({ id: ledgerEntries.id })
    .from(ledgerEntries)
    .where(eq(ledgerEntries.idempotencyKey, entry.idempotencyKey));
  if (!existing) throw new Error(`ledger entry ${entry.idempotencyKey} neither inserted nor found`);
  return { status: "duplicate", entryId: existing.id };
}
