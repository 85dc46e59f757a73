/**
 * The ledger reconciled with the chain (`npm run audit:ledger -- --chain`): every credited EVM deposit is
 * re-read from its receipt, deposit ledger entries are counted per on-chain transfer, and a sample of
 * recent blocks below the listener's cursor is scanned for deposits that were never recorded. The ledger
 * audit alone only proves the ledger agrees with itself; this proves it agrees with the chain.
 */
import { and, eq, sql } from "drizzle-orm";
import type { PublicClient } from "viem";
import { queryRows, type Db } from "../db/client.js";
import { deposits } from "../db/schema/index.js";
import { checkDepositTransaction, sameTransfer } from "../chains/evm/receipt.js";
import { readDeposits, type EvmWatch } from "../chains/evm/scanner.js";
import { getCursor } from "./cursors.js";
import { rowObservation } from "./observation-columns.js";

/** One EVM chain to reconcile. */
export interface AuditedEvmChain {
  client: PublicClient;
  watch: EvmWatch;
}

/** What the chain audit found. */
export interface ChainAuditReport {
  ok: boolean;
  depositsChecked: number;
  blocksSampled: number;
  problems: string[];
  /** Credited deposits taken back because their transaction left the chain: liabilities for the operator to confirm. */
  reversed: string[];
}

/** Net deposit ledger entries per transaction and asset on a chain (a reversal cancels its credit). */
async function ledgerCreditsByTransfer(db: Db, chain: string): Promise<Map<string, number>> {
  const rows = await queryRows<{ tx: string; asset: string; credits: string }>(
    db,
    sql`select lower(metadata->>'tx') as tx, metadata->>'asset' as asset,
               (count(*) filter (where amount_nano > 0) - count(*) filter (where amount_nano < 0))::text as credits
        from ledger_entries
        where kind = 'deposit' and metadata->>'chain' = ${chain}
        group by 1, 2`,
  );
  return new Map(rows.map((r) => [`${r.tx}:${r.asset}`, Number(r.credits)]));
}

/** Reconciles one chain; `sampleBlocks` recent blocks at or below the cursor are scanned for unrecorded deposits. */
async function auditEvmChain(db: Db, target: AuditedEvmChain, sampleBlocks: bigint, problems: string[]): Promise<{ checked: number; sampled: number }> {
  const chain = target.watch.chain;
  const rows = await db.select().from(deposits).where(and(eq(deposits.chain, chain), eq(deposits.status, "credited")));
  const credits = await ledgerCreditsByTransfer(db, chain);
  const onChainCount = new Map<string, number>();
  for (const row of rows) {
    const check = await checkDepositTransaction(target.client, target.watch, row.txId);
    const observations = check.kind === "included" ? check.observations : [];
    if (!observations.some((o) => sameTransfer(rowObservation(row), o))) {
      problems.push(`deposit ${row.id} (${chain} ${row.txId} ${row.asset}) is credited but not on chain`);
    }
    onChainCount.set(`${row.txId.toLowerCase()}:${row.asset}`, observations.filter((o) => o.asset === row.asset).length);
  }
  for (const [key, count] of credits) {
    const onChain = onChainCount.get(key);
    if (onChain !== undefined && count > onChain) problems.push(`${chain} ${key}: credited ${count} times for ${onChain} transfer(s) on chain`);
  }
  const cursor = await getCursor(db, chain);
  if (!cursor || cursor.block < 0n || sampleBlocks <= 0n) return { checked: rows.length, sampled: 0 };
  const from = cursor.block - sampleBlocks + 1n > 0n ? cursor.block - sampleBlocks + 1n : 0n;
  const recorded = await db.select().from(deposits).where(and(eq(deposits.chain, chain), sql`${deposits.blockOrSlot} between ${from} and ${cursor.block}`));
  for (const observation of await readDeposits(target.client, target.watch, from, cursor.block)) {
    const row = recorded.find((r) => sameTransfer(rowObservation(r), observation) && (r.status === "credited" || r.status === "unattributed"));
    if (!row) problems.push(`${chain} ${observation.txId} (${observation.asset} ${observation.amountBaseUnits}) is on chain in block ${observation.blockOrSlot} and never recorded`);
  }
  return { checked: rows.length, sampled: Number(cursor.block - from + 1n) };
}

/** Reconciles every given EVM chain with the ledger. */
export async function auditDepositsAgainstChains(db: Db, chains: readonly AuditedEvmChain[], options: { sampleBlocks?: bigint } = {}): Promise<ChainAuditReport> {
  const problems: string[] = [];
  let depositsChecked = 0;
  let blocksSampled = 0;
  for (const target of chains) {
    const { checked, sampled } = await auditEvmChain(db, target, options.sampleBlocks ?? 256n, problems);
    depositsChecked += checked;
    blocksSampled += sampled;
  }
  const reversed = await db.select().from(deposits).where(eq(deposits.status, "reversed"));
  return {
    ok: problems.length === 0,
    depositsChecked,
    blocksSampled,
    problems,
    reversed: reversed.map((r) => `deposit ${r.id} (${r.chain} ${r.txId} ${r.asset}) credited to ${r.accountId ?? "nobody"} then reversed: its transaction left the chain`),
  };
}
