import { sql } from "drizzle-orm";
import type { AnyPgDatabase } from "../db/client.js";
import { dayOf, monthStart, weekStart } from "./calendar.js";

/**
 * A key's spend from the usage rollups, credit and BYOK apart: in all, today, this week (from
 * Monday) and this month, UTC; nano-USD. (keys/usage.ts's KeyUsage is the ledger's credit spend.)
 */
export interface RollupKeyUsage {
  /** Since the key was made. */
  totalNano: bigint;
  byokTotalNano: bigint;
  /** Debited from credit: provider cost + fee. */
  dailyNano: bigint;
  weeklyNano: bigint;
  monthlyNano: bigint;
  /** Paid by the account's own provider keys. */
  byokDailyNano: bigint;
  byokWeeklyNano: bigint;
  byokMonthlyNano: bigint;
}

const ZERO: RollupKeyUsage = {
  totalNano: 0n,
  byokTotalNano: 0n,
  dailyNano: 0n,
  weeklyNano: 0n,
  monthlyNano: 0n,
  byokDailyNano: 0n,
  byokWeeklyNano: 0n,
  byokMonthlyNano: 0n,
};

/**
 * All-time, today, week and month usage for every key of an account (keys without usage are
 * absent from the map; use {@link usageOf}). One indexed read of the account's per-day total rows.
 */
export async function queryKeyUsage(db: AnyPgDatabase, accountId: string, now: Date): Promise<Map<string, RollupKeyUsage>> {
  const today = dayOf(now);
  const week = weekStart(now);
  const month = monthStart(now);
  const result = await db.execute<{
    api_key_id: string;
    t: string;
    bt: string;
    d: string;
    w: string;
    m: string;
    bd: string;
    bw: string;
    bm: string;
  }>(sql`
    select api_key_id,
      coalesce(sum(credit_usage_nano + fee_nano), 0)::text as t,
      coalesce(sum(byok_upstream_nano), 0)::text as bt,
      coalesce(sum(credit_usage_nano + fee_nano) filter (where day >= ${today}::date), 0)::text as d,
      coalesce(sum(credit_usage_nano + fee_nano) filter (where day >= ${week}::date), 0)::text as w,
      coalesce(sum(credit_usage_nano + fee_nano) filter (where day >= ${month}::date), 0)::text as m,
      coalesce(sum(byok_upstream_nano) filter (where day >= ${today}::date), 0)::text as bd,
      coalesce(sum(byok_upstream_nano) filter (where day >= ${week}::date), 0)::text as bw,
      coalesce(sum(byok_upstream_nano) filter (where day >= ${month}::date), 0)::text as bm
    from analytics_usage_daily
    where account_id = ${accountId} and dimension = 'total' and day <= ${today}::date
    group by api_key_id`);
  const rows = Array.isArray(result) ? result : (result as { rows: unknown[] }).rows;
  const map = new Map<string, RollupKeyUsage>();
  for (const row of rows as { api_key_id: string; t: string; bt: string; d: string; w: string; m: string; bd: string; bw: string; bm: string }[]) {
    map.set(row.api_key_id, {
      totalNano: BigInt(row.t),
      byokTotalNano: BigInt(row.bt),
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
export function usageOf(map: Map<string, RollupKeyUsage>, apiKeyId: string): RollupKeyUsage {
  return map.get(apiKeyId) ?? ZERO;
}

/**
 * The BYOK usage fields of OpenRouter's key object (reference §4), in USD from exact nano
 * amounts: what providers charged the account's own keys through this farebox key. Credit
 * usage comes from the ledger (the keys module), which limits are enforced against.
 */
export function keyUsageWire(usage: RollupKeyUsage, toUsd: (nano: bigint) => number) {
  return {
    byok_usage: toUsd(usage.byokTotalNano),
    byok_usage_daily: toUsd(usage.byokDailyNano),
    byok_usage_weekly: toUsd(usage.byokWeeklyNano),
    byok_usage_monthly: toUsd(usage.byokMonthlyNano),
  };
}
