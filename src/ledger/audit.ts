import { sql } from "drizzle-orm";
import { queryRows, type Db } from "../db/client.js";

export interface AuditReport {
  ok: boolean;
  accountsChecked: number;
  problems: string[];
  /**
   * What served generations priced beyond their holds and could not be charged (an upstream
   * reporting absurd usage): reported, not a problem of the ledger.
   */
  uncollected: { generations: number; amountNano: bigint };
}

/**
 * Proves the caches agree with the ledger: every account's balance equals the sum of its
 * entries, its held amount equals what its open holds still reserve (reserved minus charged),
 * its per-kind totals (read by /metrics) equal the sums of its entries of each kind, no balance
 * is negative, and no hold is orphaned (an ended hold without an end time, a hold whose entries
 * do not add up to what was charged to it, or a hold on a missing account). And served means
 * charged: every stored generation's usage and fee entries add up to the total its record says
 * it cost, and no answered generation was billed on no usage at all (neither reported tokens
 * nor an estimate). Sums what could not be collected.
 */
export async function auditLedger(db: Db): Promise<AuditReport> {
  const problems: string[] = [];
  const balances = await queryRows<{ id: string; balance: string; entries: string; held: string; open: string }>(
    db,
    sql`select a.id, a.balance_nano::text as balance, a.held_nano::text as held,
               coalesce((select sum(e.amount_nano) from ledger_entries e where e.account_id = a.id), 0)::text as entries,
               coalesce((select sum(h.amount_nano - coalesce(h.settled_nano, 0)) from holds h where h.account_id = a.id and h.status = 'open'), 0)::text as open
        from accounts a`,
  );
  for (const row of balances) {
    if (row.balance !== row.entries) problems.push(`account ${row.id}: balance ${row.balance} ≠ sum of entries ${row.entries}`);
    if (row.held !== row.open) problems.push(`account ${row.id}: held ${row.held} ≠ sum of open holds ${row.open}`);
    if (BigInt(row.balance) < 0n) problems.push(`account ${row.id}: negative balance ${row.balance}`);
  }
  const kindTotals = await queryRows<{ account: string; kind: string; cached: string; entries: string }>(
    db,
    sql`select coalesce(t.account_id, e.account_id) as account, coalesce(t.kind, e.kind)::text as kind,
               coalesce(t.amount_nano, 0)::text as cached, coalesce(e.amount, 0)::text as entries
        from ledger_kind_totals t
        full join (select account_id, kind, sum(amount_nano) as amount from ledger_entries group by account_id, kind) e
          on e.account_id = t.account_id and e.kind = t.kind
        where coalesce(t.amount_nano, 0) <> coalesce(e.amount, 0)`,
  );
  for (const row of kindTotals) {
    problems.push(`account ${row.account}: ${row.kind} total ${row.cached} ≠ sum of ${row.kind} entries ${row.entries}`);
  }
  const orphans = await queryRows<{ id: string; why: string }>(
    db,
    sql`select h.id, 'ended without an end time' as why from holds h where h.status <> 'open' and h.ended_at is null
        union all
        select h.id, 'open with an end time' from holds h where h.status = 'open' and h.ended_at is not null
        union all
        select h.id, 'settled for more than it held' from holds h where h.settled_nano > h.amount_nano
        union all
        select h.id, 'charged amount differs from its entries' from holds h
          where coalesce(h.settled_nano, 0) <> coalesce((select -sum(e.amount_nano) from ledger_entries e where e.hold_id = h.id), 0)
        union all
        select h.id, 'on a missing account' from holds h where not exists (select 1 from accounts a where a.id = h.account_id)`,
  );
  for (const orphan of orphans) problems.push(`hold ${orphan.id}: ${orphan.why}`);
  problems.push(...(await servedButNotCharged(db)));
  const [uncollected] = await queryRows<{ n: string; amount: string }>(
    db,
    sql`select count(*)::text as n, coalesce(sum(uncollected_nano), 0)::text as amount from generations where uncollected_nano > 0`,
  );
  return {
    ok: problems.length === 0,
    accountsChecked: balances.length,
    problems,
    uncollected: { generations: Number(uncollected?.n ?? 0), amountNano: BigInt(uncollected?.amount ?? 0) },
  };
}

/** Generations whose charge is missing or differs from their record, and answers billed on no usage. */
async function servedButNotCharged(db: Db): Promise<string[]> {
  const mismatched = await queryRows<{ id: string; total: string; charged: string }>(
    db,
    sql`select g.id, g.total_nano::text as total, coalesce(c.charged, 0)::text as charged
        from generations g
        left join (select e.metadata->>'generation_id' as id, -sum(e.amount_nano) as charged from ledger_entries e
                    where e.kind in ('usage', 'fee') and e.metadata ? 'generation_id' group by 1) c on c.id = g.id
        where g.total_nano <> coalesce(c.charged, 0)`,
  );
  const unbilled = await queryRows<{ id: string }>(
    db,
    sql`select id from generations
        where model is not null and error_status is null and not usage_estimated and prompt_tokens = 0 and completion_tokens = 0`,
  );
  return [
    ...mismatched.map((row) =>
      row.charged === "0"
        ? `generation ${row.id}: served for ${row.total} but never charged`
        : `generation ${row.id}: charged ${row.charged} ≠ its total ${row.total}`,
    ),
    ...unbilled.map((row) => `generation ${row.id}: answered with no usage reported and none estimated`),
  ];
}
