import { sql } from "drizzle-orm";
import type { AnyPgDatabase } from "../byok/store.js";
import { dayOf, monthStart, weekStart } from "./calendar.js";

/** A key's spend today, this week (from Monday) and this month, UTC; nano-USD. */
export interface KeyUsage {
  /** Debited from credit: provider cost + fee. */
  dailyNano: bigint;
  weeklyNano: bigint;
  monthlyNano: bigint;
  /** Paid by the account's own provider keys. */
  byokDailyNano: bigint;
  byokWeeklyNano: bigint;
  byokMonthlyNano: bigint;
}

const ZERO: KeyUsage = {
  dailyNano: 0n,
  weeklyNano: 0n,
  monthlyNano: 0n,
  byokDailyNano: 0n,
  byokWeeklyNano: 0n,
  byokMonthlyNano: 0n,
};

/**
 * Today / week / month usage for every key of an account (keys without usage are absent from
 * the map; use {@link usageOf}). One indexed read of at most ~31 days of rollup rows.
 */
export async function queryKeyUsage(db: AnyPgDatabase, accountId: string, now: Date): Promise<Map<string, KeyUsage>> {
  const today = dayOf(now);
  const week = weekStart(now);
  const month = monthStart(now);
  const since = week < month ? week : month;
  const result = await db.execute<{
    api_key_id: string;
    d: string;
    w: string;
    m: string;
    bd: string;
    bw: string;
    bm: string;
  }>(sql`
    select api_key_id,
      coalesce(sum(credit_usage_nano + fee_nano) filter (where day >= ${today}::date), 0)::text as d,
      coalesce(sum(credit_usage_nano + fee_nano) filter (where day >= ${week}::date), 0)::text as w,
      coalesce(sum(credit_usage_nano + fee_nano) filter (where day >= ${month}::date), 0)::text as m,
      coalesce(sum(byok_upstream_nano) filter (where day >= ${today}::date), 0)::text as bd,
      coalesce(sum(byok_upstream_nano) filter (where day >= ${week}::date), 0)::text as bw,
      coalesce(sum(byok_upstream_nano) filter (where day >= ${month}::date), 0)::text as bm
    from analytics_usage_daily
    where account_id = ${accountId} and dimension = 'total' and day >= ${since}::date and day <= ${today}::date
    group by api_key_id`);
  const rows = Array.isArray(result) ? result : (result as { rows: unknown[] }).rows;
  const map = new Map<string, KeyUsage>();
  for (const row of rows as { api_key_id: string; d: string; w: string; m: string; bd: string; bw: string; bm: string }[]) {
    map.set(row.api_key_id, {
      dailyNano: BigInt(row.d),
      weeklyNano: BigInt(row.w),
      monthlyNano: BigInt(row.m),
      byokDailyNano: BigInt(row.bd),
      byokWeeklyNano: BigInt(row.bw),
      byokMonthlyNano: BigInt(row.bm),
    });
  }
  return map;
}

/** The usage of one key from a {@link queryKeyUsage} map, zero when it has none. */
export function usageOf(map: Map<string, KeyUsage>, apiKeyId: string): KeyUsage {
  return map.get(apiKeyId) ?? ZERO;
}

/**
 * The usage fields of OpenRouter's key object (reference §4), in USD from exact nano amounts:
 * `usage_daily/weekly/monthly` (credit) and `byok_usage_*` (paid by the account's own keys).
 */
export function keyUsageWire(usage: KeyUsage, toUsd: (nano: bigint) => number) {
  return {
    usage_daily: toUsd(usage.dailyNano),
    usage_weekly: toUsd(usage.weeklyNano),
    usage_monthly: toUsd(usage.monthlyNano),
    byok_usage_daily: toUsd(usage.byokDailyNano),
    byok_usage_weekly: toUsd(usage.byokWeeklyNano),
    byok_usage_monthly: toUsd(usage.byokMonthlyNano),
  };
}
