import { and, eq, gte, lte, type SQL } from "drizzle-orm";
import type { AnyPgDatabase } from "../byok/store.js";
import { usageDaily } from "../db/schema/analytics.js";
import { LATENCY_BOUNDS_MS, addHistogram, emptyHistogram, quantile } from "./histogram.js";

/** Dimensions /activity can group by. */
export const ACTIVITY_GROUPS = ["day", "model", "provider", "key", "app"] as const;
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

/** Summed usage of one group (or of everything). Money in nano-USD. */
export interface ActivityTotals {
  requests: number;
  errors: number;
  byokRequests: number;
  promptTokens: number;
  completionTokens: number;
  reasoningTokens: number;
  cachedTokens: number;
  creditUsageNano: bigint;
  feeNano: bigint;
  byokUpstreamNano: bigint;
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

interface Accumulator extends Omit<ActivityTotals, "latencyP50Ms" | "latencyP95Ms" | "ttftP50Ms" | "ttftP95Ms"> {
  latencyHist: number[];
  ttftHist: number[];
}

function emptyAccumulator(): Accumulator {
  return {
    requests: 0,
    errors: 0,
    byokRequests: 0,
    promptTokens: 0,
    completionTokens: 0,
    reasoningTokens: 0,
    cachedTokens: 0,
    creditUsageNano: 0n,
    feeNano: 0n,
    byokUpstreamNano: 0n,
    latencyHist: emptyHistogram(LATENCY_BOUNDS_MS),
    ttftHist: emptyHistogram(LATENCY_BOUNDS_MS),
  };
}

type UsageRow = typeof usageDaily.$inferSelect;

function add(into: Accumulator, row: UsageRow): void {
  into.requests += row.requests;
  into.errors += row.errors;
  into.byokRequests += row.byokRequests;
  into.promptTokens += row.promptTokens;
  into.completionTokens += row.completionTokens;
  into.reasoningTokens += row.reasoningTokens;
  into.cachedTokens += row.cachedTokens;
  into.creditUsageNano += row.creditUsageNano;
  into.feeNano += row.feeNano;
  into.byokUpstreamNano += row.byokUpstreamNano;
  addHistogram(into.latencyHist, row.latencyHist);
  addHistogram(into.ttftHist, row.ttftHist);
}

function finish(acc: Accumulator): ActivityTotals {
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

function groupValue(row: UsageRow, groupBy: ActivityGroup): string {
  switch (groupBy) {
    case "day":
      return row.day;
    case "model":
      return row.model;
    case "provider":
      return row.provider;
    case "key":
      return row.apiKeyId;
    case "app":
      return row.app;
  }
}

/**
 * An account's usage between two days, grouped, read from the daily rollups (never from raw
 * generations). Rows are sorted by day ascending, otherwise by spend then requests descending.
 */
export async function queryActivity(db: AnyPgDatabase, query: ActivityQuery): Promise<ActivityResult> {
  const conditions: SQL[] = [
    eq(usageDaily.accountId, query.accountId),
    gte(usageDaily.day, query.from),
    lte(usageDaily.day, query.to),
  ];
  if (query.apiKeyId !== undefined) conditions.push(eq(usageDaily.apiKeyId, query.apiKeyId));
  const rows = await db.select().from(usageDaily).where(and(...conditions));
  const groups = new Map<string, Accumulator>();
  const total = emptyAccumulator();
  for (const row of rows) {
    const key = groupValue(row, query.groupBy);
    let acc = groups.get(key);
    if (!acc) {
      acc = emptyAccumulator();
      groups.set(key, acc);
    }
    add(acc, row);
    add(total, row);
  }
  const result = [...groups.entries()].map(([group, acc]) => ({ group, ...finish(acc) }));
  if (query.groupBy === "day") result.sort((a, b) => a.group.localeCompare(b.group));
  else result.sort((a, b) => compareSpend(b, a) || b.requests - a.requests || a.group.localeCompare(b.group));
  return { groupBy: query.groupBy, rows: result, totals: finish(total) };
}

function compareSpend(a: ActivityTotals, b: ActivityTotals): number {
  const left = a.creditUsageNano + a.feeNano + a.byokUpstreamNano;
  const right = b.creditUsageNano + b.feeNano + b.byokUpstreamNano;
  return left === right ? 0 : left < right ? -1 : 1;
}
