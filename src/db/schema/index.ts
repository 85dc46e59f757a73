/** Every table of the database, one file per area. drizzle-kit reads this to generate migrations. */
export * from "./accounts.js";
export * from "./ledger.js";
export * from "./keys.js";
export * from "./wallets.js";
export * from "./deposits.js";
export * from "./generations.js";
export * from "./byok.js";
export * from "./analytics.js";
export * from "./x402.js";
