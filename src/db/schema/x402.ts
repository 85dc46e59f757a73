import { index, numeric, pgEnum, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

/**
 * settling: claimed by one process, settlement under way (or the process died during it: the chain
 * listener credits whatever did settle); settled: the transfer is on chain and credited; failed: the
 * facilitator refused or the transfer reverted, nothing moved.
 */
export const x402PaymentStatus = pgEnum("x402_payment_status", ["settling", "settled", "failed"]);

/**
 * Every x402 payment authorization farebox accepted for settlement, keyed by its network, payer and
 * nonce (EIP-3009 `nonce`, or the SHA-256 of the Solana transaction's message): inserting the row claims the payment,
 * so a replayed `PAYMENT-SIGNATURE`, or two processes given the same one, settle it at most once.
 */
export const x402Payments = pgTable(
  "x402_payments",
  {
    id: text("id").primaryKey(),
    network: text("network").notNull(),
    payer: text("payer").notNull(),
    nonce: text("nonce").notNull(),
    amountBaseUnits: numeric("amount_base_units", { precision: 78, scale: 0, mode: "bigint" }).notNull(),
    status: x402PaymentStatus("status").notNull(),
    transaction: text("transaction"),
    failureReason: text("failure_reason"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    settledAt: timestamp("settled_at", { withTimezone: true }),
  },
  (table) => [
    uniqueIndex("x402_payments_authorization_uq").on(table.network, table.payer, table.nonce),
    index("x402_payments_created_idx").on(table.createdAt),
  ],
);

/**
 * Nonces of x402 `sign-in-with-x` proofs (CAIP-122) already used: a proof authenticates one request
 * only, whichever process receives it.
 */
export const x402SignIns = pgTable(
  "x402_sign_ins",
  {
    nonce: text("nonce").primaryKey(),
    address: text("address").notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }).notNull(),
  },
  (table) => [index("x402_sign_ins_used_idx").on(table.usedAt)],
);
