import { sql } from "drizzle-orm";
import { bigint, boolean, index, integer, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/** One upstream attempt of a generation, in the order tried (OpenRouter's `provider_responses`). */
export interface GenerationAttemptRow {
  endpoint_id: string;
  provider: string;
  provider_name: string;
  model: string;
  /** HTTP status the upstream answered (200 on success), null when no response arrived. */
  status: number | null;
  /** Failure kind (timeout_first_byte, connect, http, …), null on success. */
  error: string | null;
  latency_ms: number;
}

/**
 * Every chat completion request that reached routing: who asked, which model and provider
 * served it, tokens by class, what it cost (nano-USD: provider list price, fee, total charged),
 * timings, and every attempt. Read back by GET /api/v1/generation?id=.
 */
export const generations = pgTable(
  "generations",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    keyId: text("key_id"),
    requestedModel: text("requested_model").notNull(),
    model: text("model"),
    provider: text("provider"),
    providerName: text("provider_name"),
    upstreamId: text("upstream_id"),
    router: text("router"),
    promptTokens: integer("prompt_tokens").notNull().default(0),
    completionTokens: integer("completion_tokens").notNull().default(0),
    cachedTokens: integer("cached_tokens").notNull().default(0),
    cacheWriteTokens: integer("cache_write_tokens").notNull().default(0),
    reasoningTokens: integer("reasoning_tokens").notNull().default(0),
    usageEstimated: boolean("usage_estimated").notNull().default(false),
    upstreamCostNano: bigint("upstream_cost_nano", { mode: "bigint" }).notNull().default(sql`0`),
    /** Served with the account's own provider key: upstream_cost_nano was billed to that key, not debited. */
    isByok: boolean("is_byok").notNull().default(false),
    feeNano: bigint("fee_nano", { mode: "bigint" }).notNull().default(sql`0`),
    totalNano: bigint("total_nano", { mode: "bigint" }).notNull().default(sql`0`),
    holdNano: bigint("hold_nano", { mode: "bigint" }).notNull().default(sql`0`),
    /** What the usage priced beyond the hold, which the charge (capped at the hold) could not collect. */
    uncollectedNano: bigint("uncollected_nano", { mode: "bigint" }).notNull().default(sql`0`),
    /** What prompt caching saved at list price; negative when cache writes cost more than fresh prompt tokens. */
    cacheDiscountNano: bigint("cache_discount_nano", { mode: "bigint" }).notNull().default(sql`0`),
    latencyMs: integer("latency_ms").notNull(),
    ttftMs: integer("ttft_ms"),
    finishReason: text("finish_reason"),
    nativeFinishReason: text("native_finish_reason"),
    streamed: boolean("streamed").notNull(),
    cancelled: boolean("cancelled").notNull().default(false),
    errorStatus: integer("error_status"),
    errorMessage: text("error_message"),
    httpReferer: text("http_referer"),
    appTitle: text("app_title"),
    /** The request's `user` field as the caller sent it (upstreams receive only a keyed hash). */
    externalUser: text("external_user"),
    attempts: jsonb("attempts").$type<GenerationAttemptRow[]>().notNull().default([]),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
  },
  (table) => [
    index("generations_account_created_idx").on(table.accountId, table.createdAt),
    index("generations_model_created_idx").on(table.model, table.createdAt),
    // the few generations that could not be charged in full, summed by /metrics and the audit
    index("generations_uncollected_idx").on(table.createdAt).where(sql`${table.uncollectedNano} > 0`),
  ],
);
