import { boolean, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Provider keys an account brought itself, sealed with AES-256-GCM (see src/byok/vault.ts).
 * Only `last_four` is stored in clear. One key per (account, provider).
 */
export const byokKeys = pgTable(
  "byok_keys",
  {
    accountId: text("account_id").notNull(),
    provider: text("provider").notNull(),
    masterKeyId: text("master_key_id").notNull(),
    iv: text("iv").notNull(),
    ciphertext: text("ciphertext").notNull(),
    authTag: text("auth_tag").notNull(),
    lastFour: text("last_four").notNull(),
    /** When false a rejected or failing key may fall back to shared (credit-paid) capacity. */
    alwaysUse: boolean("always_use").notNull().default(false),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    /** Set when the provider last rejected the key (401/403), cleared on the next success. */
    lastRejectedAt: timestamp("last_rejected_at", { withTimezone: true }),
  },
  (table) => [primaryKey({ columns: [table.accountId, table.provider] })],
);
