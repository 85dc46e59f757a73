/**
 * The ledger reconciled with the chain (`npm run audit:ledger -- --chain`): every credited EVM deposit is
 * re-read from its receipt, deposit ledger entries are counted per on-chain transfer, and a sample of
 * recent blocks below the listener's cursor is scanned for deposits that were never recorded; the Solana
 * chain is reconciled the same way by signature (solana-chain-audit.ts). The ledger
 * audit alone only proves the ledger agrees with itself; this proves it agrees with the chain.
 */
import { and, eq, sql } from "drizzle-orm";
import type { PublicClient } from "viem";
import type { Db } from "../db/client.js";
import { deposits } from "../db/schema/index.js";
import { checkDepositTransaction, sameTransfer } from "../chains/evm/receipt.js";
import { readDeposits, type EvmWatch } from "../chains/evm/scanner.js";
import { getCursor } from "./cursors.js";
import { rowObservation } from "./observation-columns.js";
import { ledgerCreditsByTransfer, reportDoubleCredits, transferKey } from "./chain-audit-credits.js";
import { auditSolanaChain, type AuditedSolanaChain } from "./solana-chain-audit.js";

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
  /** Recent Solana treasury signatures read for deposits never recorded. */
  signaturesSampled: number;
  problems: string[];
  /** Credited deposits taken back because their transaction left the chain: liabilities for the operator to confirm. */
  reversed: string[];
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
    onChainCount.set(transferKey(row.txId, row.asset), observations.filter((o) => o.asset === row.asset).length);
  }
  reportDoubleCredits(chain, credits, onChainCount, problems);
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

/** Reconciles every given EVM chain, and the Solana chain when given, with the ledger. */
export async function auditDepositsAgainstChains(
  db: Db,
  chains: readonly AuditedEvmChain[],
  options: { sampleBlocks?: bigint; solana?: AuditedSolanaChain; sampleSignatures?: number } = {},
): Promise<ChainAuditReport> {
  const problems: string[] = [];
  let depositsChecked = 0;
  let blocksSampled = 0;
  for (const target of chains) {
    const { checked, sampled } = await auditEvmChain(db, target, options.sampleBlocks ?? 256n, problems);
    depositsChecked += checked;
    blocksSampled += sampled;
  }
  let signaturesSampled = 0;
  if (options.solana) {
    const { checked, sampled } = await auditSolanaChain(db, options.solana, options.sampleSignatures ?? 256, problems);
    depositsChecked += checked;
    signaturesSampled = sampled;
  }
  const reversed = await db.select().from(deposits).where(eq(deposits.status, "reversed"));
  return {
    ok: problems.length === 0,
    depositsChecked,
    blocksSampled,
    signaturesSampled,
    problems,
    reversed: reversed.map((r) => `deposit ${r.id} (${r.chain} ${r.txId} ${r.asset}) credited to ${r.accountId ?? "nobody"} then reversed: its transaction left the chain`),
  };
}
