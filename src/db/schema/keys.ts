import { sql } from "drizzle-orm";
import { bigint, boolean, check, index, integer, pgEnum, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { accounts } from "./accounts.js";

export const keyKind = pgEnum("api_key_kind", ["inference", "management"]);
export const limitReset = pgEnum("api_key_limit_reset", ["daily", "weekly", "monthly"]);

/** API keys, stored as the sha256 hex of the secret; the secret itself is shown once. */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    kind: keyKind("kind").notNull(),
    hash: text("hash").notNull().unique(),
    label: text("label").notNull(),
    name: text("name").notNull(),
    disabled: boolean("disabled").notNull().default(false),
    limitNano: bigint("limit_nano", { mode: "bigint" }),
    limitReset: limitReset("limit_reset"),
    includeByokInLimit: boolean("include_byok_in_limit").notNull().default(false),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    /** Request rate limit: at most this many requests per `rateLimitIntervalMs`; both null when the key has none. */
    rateLimitRequests: integer("rate_limit_requests"),
    rateLimitIntervalMs: integer("rate_limit_interval_ms"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    deletedAt: timestamp("deleted_at", { withTimezone: true }),
  },
  (table) => [
    index("api_keys_account_idx").on(table.accountId),
    check(
      "api_keys_rate_limit_whole",
      sql`(${table.rateLimitRequests} IS NULL) = (${table.rateLimitIntervalMs} IS NULL) AND (${table.rateLimitRequests} IS NULL OR (${table.rateLimitRequests} > 0 AND ${table.rateLimitIntervalMs} > 0))`,
    ),
  ],
);
