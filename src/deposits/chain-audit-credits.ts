/**
 * What the chain audit compares the chain with, the same way for every chain family: net deposit ledger
 * entries per transaction and asset, and the verdict when they outnumber the transfers on chain.
 */
import { sql } from "drizzle-orm";
import { queryRows, type Db } from "../db/client.js";

/** Net deposit ledger entries per `tx:asset` on a chain (a reversal cancels its credit). */
export async function ledgerCreditsByTransfer(db: Db, chain: string): Promise<Map<string, number>> {
  const rows = await queryRows<{ tx: string; asset: string; credits: string }>(
    db,
    sql`select lower(metadata->>'tx') as tx, metadata->>'asset' as asset,
               (count(*) filter (where amount_nano > 0) - count(*) filter (where amount_nano < 0))::text as credits
        from ledger_entries
        where kind = 'deposit' and metadata->>'chain' = ${chain}
        group by 1, 2`,
  );
  return new Map(rows.map((r) => [transferKey(r.tx, r.asset), Number(r.credits)]));
}

/** The key both maps use: lower-cased transaction id and asset symbol. */
export function transferKey(txId: string, asset: string): string {
  return `${txId.toLowerCase()}:${asset}`;
}

/** Adds a problem for every transfer credited more often than the chain holds it (`onChain` by {@link transferKey}). */
export function reportDoubleCredits(chain: string, credits: Map<string, number>, onChain: Map<string, number>, problems: string[]): void {
  for (const [key, count] of credits) {
    const transfers = onChain.get(key);
    if (transfers !== undefined && count > transfers) problems.push(`${chain} ${key}: credited ${count} times for ${transfers} transfer(s) on chain`);
  }
}
