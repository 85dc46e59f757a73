import { sql } from "drizzle-orm";
import { queryRows, type AnyPgDatabase } from "../db/client.js";
import type { MetricSources } from "./farebox-metrics.js";

/**
 * Scrape-time readings of the ledger for GET /metrics: open holds (count and amount, through the
 * open-holds index) and the sum of entries per kind, read from the per-account kind totals the
 * ledger keeps beside its entries: a scrape costs O(accounts), however long the ledger grows; and
 * what served generations priced beyond their holds and could not be charged (uncollected).
 * Sums are exact: bigint in SQL, cast to text, parsed as bigint.
 */
export function ledgerMetricSources(db: AnyPgDatabase): Pick<MetricSources, "openHolds" | "ledgerTotals" | "uncollected" | "depositsReversed"> {
  return {
    depositsReversed: async () => {
      const rows = await queryRows<{ chain: string; n: string }>(db, sql`select chain, count(*)::text as n from deposits where status = 'reversed' group by chain order by chain`);
      return rows.map((row) => ({ chain: row.chain, count: Number(row.n) }));
    },
    openHolds: async () => {
      const [row] = await queryRows<{ n: string; amount: string }>(
        db,
        sql`select count(*)::text as n, coalesce(sum(amount_nano - coalesce(settled_nano, 0)), 0)::text as amount from holds where status = 'open'`,
      );
      return { count: Number(row?.n ?? 0), amountNano: BigInt(row?.amount ?? 0) };
    },
    ledgerTotals: async () => {
      const rows = await queryRows<{ kind: string; amount: string }>(
        db,
        sql`select kind::text as kind, sum(amount_nano)::text as amount from ledger_kind_totals group by kind order by kind`,
      );
      return rows.map((row) => ({ kind: row.kind, amountNano: BigInt(row.amount) }));
    },
    // the partial index generations_uncollected_idx holds only the few generations concerned
    uncollected: async () => {
      const [row] = await queryRows<{ n: string; amount: string }>(
        db,
        sql`select count(*)::text as n, coalesce(sum(uncollected_nano), 0)::text as amount from generations where uncollected_nano > 0`,
      );
      return { count: Number(row?.n ?? 0), amountNano: BigInt(row?.amount ?? 0) };
    },
  };
}
