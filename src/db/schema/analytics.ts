import { bigint, date, index, integer, pgTable, primaryKey, text } from "drizzle-orm/pg-core";

/**
 * Usage rollups: per (account, UTC day, key) one row per dimension value: dimension "total"
 * (value ""), "model", "provider" and "app" (value = HTTP-Referer origin, "" for none). Each
 * settled generation adds to four rows, so /activity grouped by any one dimension reads only
 * that dimension's rows: an account-month is a few hundred rows, never raw generations.
 * Histograms hold one count per bound of src/analytics/histogram.ts plus overflow;
 * percentiles come from their element-wise sum.
 */
export const usageDaily = pgTable(
  "analytics_usage_daily",
  {
    accountId: text("account_id").notNull(),
    /** "total" | "model" | "provider" | "app". */
    dimension: text("dimension").notNull(),
    day: date("day", { mode: "string" }).notNull(),
    apiKeyId: text("api_key_id").notNull(),
    /** The model, provider or app origin; "" for the total row. */
    value: text("value").notNull(),
    requests: bigint("requests", { mode: "number" }).notNull(),
    errors: bigint("errors", { mode: "number" }).notNull(),
    byokRequests: bigint("byok_requests", { mode: "number" }).notNull(),
    promptTokens: bigint("prompt_tokens", { mode: "number" }).notNull(),
    completionTokens: bigint("completion_tokens", { mode: "number" }).notNull(),
    reasoningTokens: bigint("reasoning_tokens", { mode: "number" }).notNull(),
    cachedTokens: bigint("cached_tokens", { mode: "number" }).notNull(),
    /** Provider cost debited from credit (sum of ledger usage entries). */
    creditUsageNano: bigint("credit_usage_nano", { mode: "bigint" }).notNull(),
    /** Fees debited from credit (sum of ledger fee entries), BYOK fees included. */
    feeNano: bigint("fee_nano", { mode: "bigint" }).notNull(),
    /** What providers charged the account's own keys. */
    byokUpstreamNano: bigint("byok_upstream_nano", { mode: "bigint" }).notNull(),
    latencyHist: integer("latency_hist").array().notNull(),
    ttftHist: integer("ttft_hist").array().notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.accountId, table.dimension, table.day, table.apiKeyId, table.value] }),
  ],
);

/** Public leaderboard per (UTC day, model): no account, key or app in it. */
export const rankingsModelDaily = pgTable(
  "analytics_rankings_model_daily",
  {
    day: date("day", { mode: "string" }).notNull(),
    model: text("model").notNull(),
    author: text("author").notNull(),
    requests: bigint("requests", { mode: "number" }).notNull(),
    promptTokens: bigint("prompt_tokens", { mode: "number" }).notNull(),
    completionTokens: bigint("completion_tokens", { mode: "number" }).notNull(),
    latencyHist: integer("latency_hist").array().notNull(),
    throughputHist: integer("throughput_hist").array().notNull(),
  },
  (table) => [primaryKey({ columns: [table.day, table.model] })],
);

/**
 * Public leaderboard per (UTC day, app origin): only apps that sent a public HTTP-Referer.
 * The (app, day) index serves the leaderboard's title lookup: an app's latest titled day in a window.
 */
export const rankingsAppDaily = pgTable(
  "analytics_rankings_app_daily",
  {
    day: date("day", { mode: "string" }).notNull(),
    app: text("app").notNull(),
    title: text("title").notNull(),
    requests: bigint("requests", { mode: "number" }).notNull(),
    tokens: bigint("tokens", { mode: "number" }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.day, table.app] }), index("analytics_rankings_app_daily_app_day_idx").on(table.app, table.day)],
);
