import { sql } from "drizzle-orm";
import { bigint, index, integer, numeric, pgEnum, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { accounts } from "./accounts.js";

/**
 * seen: observed above the required depth (confirming); credited: value posted to the ledger;
 * unattributed: confirmed and valued but no account known (parked for the admin);
 * orphaned: its block left the canonical chain before it was deep enough;
 * reversed: credited, then its transaction left the canonical chain (a reorg deeper than the credit
 * depth); a reversing ledger entry took the credit back.
 */
export const depositStatus = pgEnum("deposit_status", ["seen", "credited", "unattributed", "orphaned", "reversed"]);
export const depositAttribution = pgEnum("deposit_attribution", ["wallet", "intent", "reference", "admin"]);
export const intentStatus = pgEnum("deposit_intent_status", ["open", "matched", "expired"]);

/**
 * One incoming transfer to a treasury. (chain, tx_id, log_index, asset) is the observation's identity:
 * a restart, a replay or a second listener finds the same row and credits nothing twice.
 * Token amounts are integers in base units (numeric: wei exceed 64 bits); USD values are nano-USD.
 */
export const deposits = pgTable(
  "deposits",
  {
    id: text("id").primaryKey(),
    chain: text("chain").notNull(),
    txId: text("tx_id").notNull(),
    logIndex: integer("log_index").notNull(),
    asset: text("asset").notNull(),
    fromAddress: text("from_address").notNull(),
    toAddress: text("to_address").notNull(),
    amountBaseUnits: numeric("amount_base_units", { precision: 78, scale: 0, mode: "bigint" }).notNull(),
    blockOrSlot: bigint("block_or_slot", { mode: "bigint" }).notNull(),
    blockHash: text("block_hash"),
    /** When its block was produced (chain clock); an intent matches only a payment whose block time is in its window. */
    blockTime: timestamp("block_time", { withTimezone: true }),
    memoOrReference: text("memo_or_reference"),
    status: depositStatus("status").notNull(),
    confirmations: integer("confirmations").notNull().default(0),
    accountId: text("account_id").references(() => accounts.id),
    attribution: depositAttribution("attribution"),
    intentId: text("intent_id"),
    /** USD value at confirmation (rounded down); null while still confirming. */
    valueNano: bigint("value_nano", { mode: "bigint" }),
    /** Price used: feed answer, its decimals and round; null for stablecoins (1:1). */
    rateAnswer: numeric("rate_answer", { precision: 78, scale: 0, mode: "bigint" }),
    rateDecimals: integer("rate_decimals"),
    rateRound: text("rate_round"),
    ledgerIdempotencyKey: text("ledger_idempotency_key"),
    seenAt: timestamp("seen_at", { withTimezone: true }).notNull().defaultNow(),
    confirmedAt: timestamp("confirmed_at", { withTimezone: true }),
    creditedAt: timestamp("credited_at", { withTimezone: true }),
  },
  (table) => [
    uniqueIndex("deposits_observation_uq").on(table.chain, table.txId, table.logIndex, table.asset),
    index("deposits_account_idx").on(table.accountId, table.seenAt),
    index("deposits_status_idx").on(table.chain, table.status),
  ],
);

/**
 * A promise to pay an exact amount, for senders that are not a linked wallet. The amount is unique
 * among open intents on the same chain and asset (partial unique index), so a transfer of exactly that
 * amount identifies the account.
 */
export const depositIntents = pgTable(
  "deposit_intents",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    chain: text("chain").notNull(),
    asset: text("asset").notNull(),
    amountBaseUnits: numeric("amount_base_units", { precision: 78, scale: 0, mode: "bigint" }).notNull(),
    amountUsdNano: bigint("amount_usd_nano", { mode: "bigint" }).notNull(),
    status: intentStatus("status").notNull().default("open"),
    depositId: text("deposit_id"),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex("deposit_intents_open_amount_uq")
      .on(table.chain, table.asset, table.amountBaseUnits)
      .where(sql`${table.status} = 'open'`),
    index("deposit_intents_account_idx").on(table.accountId, table.createdAt),
  ],
);

/** How far each chain's listener has processed: a block number and hash (EVM) or slot and signature (Solana). */
export const chainCursors = pgTable("chain_cursors", {
  chain: text("chain").primaryKey(),
  blockOrSlot: bigint("block_or_slot", { mode: "bigint" }).notNull(),
  hashOrSignature: text("hash_or_signature").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
