import { index, pgEnum, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { accounts } from "./accounts.js";

/** Wallet families a user can sign in with; each has its own address format and message standard. */
export const walletFamily = pgEnum("wallet_family", ["evm", "solana"]);

/**
 * Wallets proven (by a signed sign-in message) to belong to an account. An address belongs to at
 * most one account per family; deposits sent from it are credited to that account.
 * Addresses are stored normalized: EIP-55 checksummed for EVM, base58 for Solana.
 */
export const walletIdentities = pgTable(
  "wallet_identities",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    family: walletFamily("family").notNull(),
    address: text("address").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex("wallet_identities_family_address_uq").on(table.family, table.address),
    index("wallet_identities_account_idx").on(table.accountId),
  ],
);

/**
 * Outstanding sign-in challenges. A row is deleted when its nonce is used (single use, consumed with
 * DELETE … RETURNING) and is useless after `expiresAt`. The exact message is kept so the signed text
 * must be the one the server wrote.
 */
export const signInNonces = pgTable(
  "sign_in_nonces",
  {
    nonce: text("nonce").primaryKey(),
    family: walletFamily("family").notNull(),
    address: text("address").notNull(),
    /** EVM chain id or Solana cluster the message names. */
    chainRef: text("chain_ref").notNull(),
    message: text("message").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index("sign_in_nonces_expiry_idx").on(table.expiresAt)],
);
