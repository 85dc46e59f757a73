import { sql } from "drizzle-orm";
import { bigint, bigserial, index, jsonb, pgEnum, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import { accounts } from "./accounts.js";

export const entryKind = pgEnum("ledger_entry_kind", ["deposit", "usage", "fee", "refund", "adjustment"]);
export const holdStatus = pgEnum("hold_status", ["open", "settled", "voided", "expired"]);

/**
 * Append-only ledger. Credits are positive, debits negative. The caller-chosen idempotency key
 * is unique: replaying it inserts nothing. Corrections are new entries, never UPDATE or DELETE.
 */
export const ledgerEntries = pgTable(
  "ledger_entries",
  {
    id: bigserial("id", { mode: "bigint" }).primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    kind: entryKind("kind").notNull(),
    amountNano: bigint("amount_nano", { mode: "bigint" }).notNull(),
    idempotencyKey: text("idempotency_key").notNull().unique(),
    holdId: text("hold_id"),
    keyId: text("key_id"),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index("ledger_entries_account_created_idx").on(table.accountId, table.createdAt),
    index("ledger_entries_key_created_idx").on(table.keyId, table.createdAt).where(sql`${table.keyId} is not null`),
  ],
);

/**
 * The sum of each account's entries per kind, a cache like the account's balance: a trigger on
 * ledger_entries adds every inserted entry in the same statement (the ledger_kind_totals_trigger migration),
 * whichever code path posts it, so reading ledger totals costs O(accounts), never a ledger scan.
 * The audit proves it agrees with the entries. No foreign key: each entry already has one, and the
 * trigger runs after the account row is locked.
 */
export const ledgerKindTotals = pgTable(
  "ledger_kind_totals",
  {
    accountId: text("account_id").notNull(),
    kind: entryKind("kind").notNull(),
    amountNano: bigint("amount_nano", { mode: "bigint" }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.accountId, table.kind] })],
);

/** A reservation of a request's worst-case cost; it ends settled, voided or expired. */
export const holds = pgTable(
  "holds",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    keyId: text("key_id"),
    amountNano: bigint("amount_nano", { mode: "bigint" }).notNull(),
    status: holdStatus("status").notNull().default("open"),
    settledNano: bigint("settled_nano", { mode: "bigint" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    endedAt: timestamp("ended_at", { withTimezone: true }),
  },
  (table) => [index("holds_open_expiry_idx").on(table.expiresAt).where(sql`${table.status} = 'open'`)],
);

/**
 * Spending per API key within its current limit window, plus what its open holds reserve.
 * Kept by the ledger beside the account's cache so a key's limit is enforced atomically.
 */
export const keySpend = pgTable("key_spend", {
  keyId: text("key_id").primaryKey(),
  windowStart: timestamp("window_start", { withTimezone: true }).notNull(),
  windowSpentNano: bigint("window_spent_nano", { mode: "bigint" }).notNull().default(sql`0`),
  heldNano: bigint("held_nano", { mode: "bigint" }).notNull().default(sql`0`),
});
