import { sql, type SQL } from "drizzle-orm";
import { LATENCY_BOUNDS_MS, quantile } from "./histogram.js";
import { queryRows, type AnyPgDatabase } from "../db/client.js";
import { emptyUsageCounts, type UsageCounts } from "./aggregate.js";

/** Dimensions /activity can group by. */
export const ACTIVITY_GROUPS = ["endpoint", "day", "model", "provider", "key", "app"] as const;
export type ActivityGroup = (typeof ACTIVITY_GROUPS)[number];

export interface ActivityQuery {
  accountId: string;
  /** First day, inclusive. */
  from: string;
  /** Last day, inclusive. */
  to: string;
  apiKeyId?: string;
  groupBy: ActivityGroup;
}

/** Summed usage of one group (or of everything), percentiles read from the histograms. Money in nano-USD. */
export interface ActivityTotals extends Omit<UsageCounts, "latencyHist" | "ttftHist"> {
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  ttftP50Ms: number | null;
  ttftP95Ms: number | null;
}

export interface ActivityRow extends ActivityTotals {
  /** The group's value: a day, model, provider, key id or app origin ("" = no app). */
  group: string;
}

export interface ActivityResult {
  groupBy: ActivityGroup;
  rows: ActivityRow[];
  totals: ActivityTotals;
}

function finish(acc: UsageCounts): ActivityTotals {
  const { latencyHist, ttftHist, ...sums } = acc;
  const round = (v: number | null) => (v === null ? null : Math.round(v));
  return {
    ...sums,
    latencyP50Ms: round(quantile(LATENCY_BOUNDS_MS, latencyHist, 0.5)),
    latencyP95Ms: round(quantile(LATENCY_BOUNDS_MS, latencyHist, 0.95)),
    ttftP50Ms: round(quantile(LATENCY_BOUNDS_MS, ttftHist, 0.5)),
    ttftP95Ms: round(quantile(LATENCY_BOUNDS_MS, ttftHist, 0.95)),
  };
}

/** Rollup dimension and column each group reads. */
const GROUPING: Record<ActivityGroup, { dimension: string; column: SQL }> = {
  // OpenRouter's rows: one per day and endpoint, the group written "YYYY-MM-DD <model>@<provider>"
  endpoint: { dimension: "endpoint", column: sql`to_char(day, 'YYYY-MM-DD') || ' ' || value` },
  day: { dimension: "total", column: sql`to_char(day, 'YYYY-MM-DD')` },
  model: { dimension: "model", column: sql`value` },
  provider: { dimension: "provider", column: sql`value` },
  key: { dimension: "total", column: sql`api_key_id` },
  app: { dimension: "app", column: sql`value` },
};

interface ScalarRow extends Record<string, unknown> {
  g: string;
  requests: string;
  errors: string;
  byok_requests: string;
  prompt_tokens: string;
  completion_tokens: string;
  reasoning_tokens: string;
  cached_tokens: string;
  credit_usage_nano: string;
  fee_nano: string;
  byok_upstream_nano: string;
}

interface HistogramRow extends Record<string, unknown> {
  g: string;
  i: number;
  latency: string;
  ttft: string;
}

/**
 * An account's usage between two days, grouped, summed in Postgres from the daily rollups
 * (never from raw generations): one pass for the counters, one for the histogram slots.
 * Rows are sorted by day ascending, otherwise by spend then requests descending.
 */
export async function queryActivity(db: AnyPgDatabase, query: ActivityQuery): Promise<ActivityResult> {
  const { dimension, column: group } = GROUPING[query.groupBy];
  const where = sql`account_id = ${query.accountId} and dimension = ${dimension} and day >= ${query.from}::date and day <= ${query.to}::date${
    query.apiKeyId === undefined ? sql`` : sql` and api_key_id = ${query.apiKeyId}`
  }`;
  const scalars = await queryRows<ScalarRow>(
    db,
    sql`select ${group} as g,
      sum(requests)::text as requests, sum(errors)::text as errors, sum(byok_requests)::text as byok_requests,
      sum(prompt_tokens)::text as prompt_tokens, sum(completion_tokens)::text as completion_tokens,
      sum(reasoning_tokens)::text as reasoning_tokens, sum(cached_tokens)::text as cached_tokens,
      sum(credit_usage_nano)::text as credit_usage_nano, sum(fee_nano)::text as fee_nano,
      sum(byok_upstream_nano)::text as byok_upstream_nano
    from analytics_usage_daily where ${where} group by 1`,
  );
  const slots = await queryRows<HistogramRow>(
    db,
    sql`select ${group} as g, u.i::int as i, sum(u.l)::text as latency, sum(u.t)::text as ttft
    from analytics_usage_daily d, unnest(d.latency_hist, d.ttft_hist) with ordinality as u(l, t, i)
    where ${where} group by 1, 2`,
  );
  const groups = new Map<string, UsageCounts>();
  const total = emptyUsageCounts();
  for (const row of scalars) {
    const acc = emptyUsageCounts();
    acc.requests = Number(row.requests);
    acc.errors = Number(row.errors);
    acc.byokRequests = Number(row.byok_requests);
    acc.promptTokens = Number(row.prompt_tokens);
    acc.completionTokens = Number(row.completion_tokens);
    acc.reasoningTokens = Number(row.reasoning_tokens);
    acc.cachedTokens = Number(row.cached_tokens);
    acc.creditUsageNano = BigInt(row.credit_usage_nano);
    acc.feeNano = BigInt(row.fee_nano);
    acc.byokUpstreamNano = BigInt(row.byok_upstream_nano);
    groups.set(row.g, acc);
    addScalars(total, acc);
  }
  for (const row of slots) {
    const acc = groups.get(row.g);
    const index = Number(row.i) - 1;
    if (!acc || index < 0 || index >= acc.latencyHist.length) continue;
    acc.latencyHist[index] = Number(row.latency);
    acc.ttftHist[index] = Number(row.ttft);
    total.latencyHist[index] = (total.latencyHist[index] ?? 0) + Number(row.latency);
    total.ttftHist[index] = (total.ttftHist[index] ?? 0) + Number(row.ttft);
  }
  const result = [...groups.entries()].map(([group, acc]) => ({ group, ...finish(acc) }));
  if (query.groupBy === "day") result.sort((a, b) => a.group.localeCompare(b.group));
  else if (query.groupBy === "endpoint") result.sort((a, b) => a.group.slice(0, 10).localeCompare(b.group.slice(0, 10)) || compareSpend(b, a) || a.group.localeCompare(b.group));
  else result.sort((a, b) => compareSpend(b, a) || b.requests - a.requests || a.group.localeCompare(b.group));
  return { groupBy: query.groupBy, rows: result, totals: finish(total) };
}

function addScalars(into: UsageCounts, from: UsageCounts): void {
  into.requests += from.requests;
  into.errors += from.errors;
  into.byokRequests += from.byokRequests;
  into.promptTokens += from.promptTokens;
  into.completionTokens += from.completionTokens;
  into.reasoningTokens += from.reasoningTokens;
  into.cachedTokens += from.cachedTokens;
  into.creditUsageNano += from.creditUsageNano;
  into.feeNano += from.feeNano;
  into.byokUpstreamNano += from.byokUpstreamNano;
}

function compareSpend(a: ActivityTotals, b: ActivityTotals): number {
  const left = a.creditUsageNano + a.feeNano + a.byokUpstreamNano;
  const right = b.creditUsageNano + b.feeNano + b.byokUpstreamNano;
  return left === right ? 0 : left < right ? -1 : 1;
}
