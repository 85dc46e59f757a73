import { sql } from "drizzle-orm";
import { bigint, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * A prepaid account. `balanceNano` and `heldNano` are caches of the ledger, updated in the same
 * transaction as the entries and holds they summarize (the audit proves they agree).
 */
export const accounts = pgTable("accounts", {
  id: text("id").primaryKey(),
  name: text("name"),
  balanceNano: bigint("balance_nano", { mode: "bigint" }).notNull().default(sql`0`),
  heldNano: bigint("held_nano", { mode: "bigint" }).notNull().default(sql`0`),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});
