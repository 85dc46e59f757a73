import { getTableName, sql } from "drizzle-orm";
import { preparedRows, type AnyPgDatabase } from "../db/client.js";
import { rankingsAppDaily, rankingsModelDaily, usageDaily } from "../db/schema/analytics.js";
import { accumulate, emptyBatch, type ModelIncrement, type RollupBatch, type UsageIncrement } from "./aggregate.js";
import type { SettledGeneration } from "../domain/settled-generation.js";

const CHUNK = 5000;

/** `existing + excluded` for a counter column in an upsert. */
function plus(column: string): string {
  return `${column} = t.${column} + excluded.${column}`;
}

/** Element-wise `existing + excluded` for a histogram array column in an upsert. */
function plusArray(column: string): string {
  return `${column} = (select array_agg(coalesce(u.a, 0) + coalesce(u.b, 0) order by u.i) from unnest(t.${column}, excluded.${column}) with ordinality as u(a, b, i))`;
}

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/** JSON with bigint written as decimal strings (Postgres reads them exactly into bigint columns). */
function json(rows: readonly object[]): string {
  return JSON.stringify(rows, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value));
}

/**
 * One upsert statement per chunk: the rows travel as a single JSON parameter expanded by
 * json_populate_recordset (a query builder with one parameter per cell is far slower for
 * thousands of rows). Table and column names are constants of this module, so each table's
 * statement has one text, prepared once per connection.
 */
async function upsert(db: AnyPgDatabase, table: string, conflict: string, set: string[], rows: readonly object[]): Promise<void> {
  for (const chunk of chunks([...rows])) {
    await preparedRows(
      db,
      sql`insert into ${sql.raw(table)} as t select * from json_populate_recordset(null::${sql.raw(table)}, ${json(chunk)}::json)
        on conflict (${sql.raw(conflict)}) do update set ${sql.raw(set.join(", "))}`,
    );
  }
}

const usageRow = (r: UsageIncrement) => ({
  account_id: r.accountId,
  dimension: r.dimension,
  day: r.day,
  api_key_id: r.apiKeyId,
  value: r.value,
  requests: r.requests,
  errors: r.errors,
  byok_requests: r.byokRequests,
  prompt_tokens: r.promptTokens,
  completion_tokens: r.completionTokens,
  reasoning_tokens: r.reasoningTokens,
  cached_tokens: r.cachedTokens,
  credit_usage_nano: r.creditUsageNano,
  fee_nano: r.feeNano,
  byok_upstream_nano: r.byokUpstreamNano,
  latency_hist: r.latencyHist,
  ttft_hist: r.ttftHist,
});

const modelRow = (r: ModelIncrement) => ({
  day: r.day,
  model: r.model,
  author: r.author,
  requests: r.requests,
  prompt_tokens: r.promptTokens,
  completion_tokens: r.completionTokens,
  latency_hist: r.latencyHist,
  throughput_hist: r.throughputHist,
});

/** Adds a batch of increments to the rollup tables, in one transaction. */
export async function applyBatch(db: AnyPgDatabase, batch: RollupBatch): Promise<void> {
  if (batch.usage.length === 0) return;
  await db.transaction((tx) => applyIncrements(tx, batch));
}

async function applyIncrements(db: AnyPgDatabase, batch: RollupBatch): Promise<void> {
  await upsert(
    db,
    getTableName(usageDaily),
    "account_id, dimension, day, api_key_id, value",
    [
      ...["requests", "errors", "byok_requests", "prompt_tokens", "completion_tokens", "reasoning_tokens", "cached_tokens"].map(plus),
      ...["credit_usage_nano", "fee_nano", "byok_upstream_nano"].map(plus),
      plusArray("latency_hist"),
      plusArray("ttft_hist"),
    ],
    batch.usage.map(usageRow),
  );
  await upsert(
    db,
    getTableName(rankingsModelDaily),
    "day, model",
    [...["requests", "prompt_tokens", "completion_tokens"].map(plus), plusArray("latency_hist"), plusArray("throughput_hist")],
    batch.models.map(modelRow),
  );
  await upsert(
    db,
    getTableName(rankingsAppDaily),
    "day, app",
    [...["requests", "tokens"].map(plus), "title = case when excluded.title <> '' then excluded.title else t.title end"],
    batch.apps,
  );
}

/**
 * Counts settled generations into the rollups in one transaction (every generation given is
 * counted; the gateway settles each generation once). Returns how many were counted.
 */
export async function recordSettled(db: AnyPgDatabase, generations: readonly SettledGeneration[]): Promise<number> {
  const batch = emptyBatch();
  for (const gen of generations) accumulate(batch, gen);
  await applyBatch(db, batch);
  return generations.length;
}
