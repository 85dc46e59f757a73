import { and, inArray, sql } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { ledgerEntries } from "../db/schema/index.js";
import type { Nano } from "../domain/money.js";
import { limitWindowStart, type LimitReset } from "./limit-window.js";

export interface KeyUsage {
  totalNano: Nano;
  dailyNano: Nano;
  weeklyNano: Nano;
  monthlyNano: Nano;
}

export const NO_USAGE: KeyUsage = { totalNano: 0n, dailyNano: 0n, weeklyNano: 0n, monthlyNano: 0n };

/** Credits spent (usage + fees) by each key: in all, today, this week and this month (UTC). */
export async function keyUsage(db: Db, keyIds: string[], now: Date): Promise<Map<string, KeyUsage>> {
  const result = new Map<string, KeyUsage>();
  if (keyIds.length === 0) return result;
  const since = (reset: LimitReset) => sql`${limitWindowStart(reset, now).toISOString()}::timestamptz`;
  const spent = sql`-${ledgerEntries.amountNano}`;
  const rows = await db
    .select({
      keyId: ledgerEntries.keyId,
      total: sql<string>`coalesce(sum(${spent}), 0)`,
      daily: sql<string>`coalesce(sum(${spent}) filter (where ${ledgerEntries.createdAt} >= ${since("daily")}), 0)`,
      weekly: sql<string>`coalesce(sum(${spent}) filter (where ${ledgerEntries.createdAt} >= ${since("weekly")}), 0)`,
      monthly: sql<string>`coalesce(sum(${spent}) filter (where ${ledgerEntries.createdAt} >= ${since("monthly")}), 0)`,
    })
    .from(ledgerEntries)
    .where(and(inArray(ledgerEntries.keyId, keyIds), inArray(ledgerEntries.kind, ["usage", "fee"])))
    .groupBy(ledgerEntries.keyId);
  for (const row of rows) {
    if (!row.keyId) continue;
    result.set(row.keyId, {
      totalNano: BigInt(row.total),
      dailyNano: BigInt(row.daily),
      weeklyNano: BigInt(row.weekly),
      monthlyNano: BigInt(row.monthly),
    });
  }
  return result;
}

/** What the key has spent in its current limit window. */
export function usageInLimitWindow(usage: KeyUsage, reset: LimitReset | null): Nano {
  switch (reset) {
    case "daily":
      return usage.dailyNano;
    case "weekly":
      return usage.weeklyNano;
    case "monthly":
      return usage.monthlyNano;
    case null:
      return usage.totalNano;
  }
}
