/**
 * The chain audit of the configured Solana chain: every credited Solana deposit is re-read by its
 * signature through the listener's own `Connection` (at the listener's commitment), deposit ledger
 * entries are counted per signature and asset, and the treasury's most recent signatures at or below
 * each listener cursor are read for deposits that were never recorded.
 */
import { PublicKey, type Connection, type ParsedTransactionWithMeta } from "@solana/web3.js";
import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "../db/client.js";
import type { DepositObservation } from "../chains/observation.js";
import { sameTransfer } from "../chains/evm/receipt.js";
import { watchedAddresses } from "../chains/solana/assets.js";
import { observeTransaction } from "../chains/solana/observation.js";
import type { SolanaScanConfig } from "../chains/solana/scanner.js";
import { deposits } from "../db/schema/index.js";
import { ledgerCreditsByTransfer, reportDoubleCredits, transferKey } from "./chain-audit-credits.js";
import { getCursor } from "./cursors.js";
import { rowObservation } from "./observation-columns.js";
import { cursorKey, toDepositObservation } from "./solana-sync.js";

/** The Solana chain to reconcile: its deposits' chain key, the listener's Connection and scan settings. */
export interface AuditedSolanaChain {
  chain: string;
  connection: Connection;
  scan: SolanaScanConfig;
}

/** Deposits a transaction holds for the treasury, as the listener would record them; none when it is not on chain. */
async function observedDeposits(target: AuditedSolanaChain, signature: string): Promise<DepositObservation[]> {
  const tx: ParsedTransactionWithMeta | null = await target.connection.getParsedTransaction(signature, {
    commitment: target.scan.commitment,
    maxSupportedTransactionVersion: 1,
  });
  if (tx === null) return [];
  return observeTransaction(signature, tx, target.scan.treasury, target.scan.assets).map((o) => toDepositObservation(target.chain, o));
}

/** Signatures of `address` at or below the listener's cursor, newest first, at most `sample` of them. */
async function signaturesBelowCursor(db: Db, target: AuditedSolanaChain, address: string, sample: number): Promise<string[]> {
  const cursor = await getCursor(db, cursorKey(target.chain, address));
  if (!cursor || sample <= 0) return [];
  const older = await target.connection.getSignaturesForAddress(
    new PublicKey(address),
    { before: cursor.hash, limit: Math.max(1, sample - 1) },
    target.scan.commitment,
  );
  return [cursor.hash, ...older.filter((info) => info.err === null).map((info) => info.signature)];
}

/**
 * Reconciles the Solana chain with the ledger, adding what it finds to `problems`. Returns how many
 * credited deposits were re-read and how many treasury signatures were sampled.
 */
export async function auditSolanaChain(db: Db, target: AuditedSolanaChain, sampleSignatures: number, problems: string[]): Promise<{ checked: number; sampled: number }> {
  const { chain } = target;
  const rows = await db.select().from(deposits).where(and(eq(deposits.chain, chain), eq(deposits.status, "credited")));
  const credits = await ledgerCreditsByTransfer(db, chain);
  const onChainCount = new Map<string, number>();
  for (const row of rows) {
    const observations = await observedDeposits(target, row.txId);
    if (!observations.some((o) => sameTransfer(rowObservation(row), o))) {
      problems.push(`deposit ${row.id} (${chain} ${row.txId} ${row.asset}) is credited but not on chain`);
    }
    onChainCount.set(transferKey(row.txId, row.asset), observations.filter((o) => o.asset === row.asset).length);
  }
  reportDoubleCredits(chain, credits, onChainCount, problems);

  const sampled = new Set<string>();
  for (const address of watchedAddresses(target.scan.treasury, target.scan.assets)) {
    for (const signature of await signaturesBelowCursor(db, target, address, sampleSignatures)) sampled.add(signature);
  }
  if (sampled.size === 0) return { checked: rows.length, sampled: 0 };
  const recorded = await db
    .select()
    .from(deposits)
    .where(and(eq(deposits.chain, chain), inArray(deposits.txId, [...sampled]), inArray(deposits.status, ["credited", "unattributed"])));
  for (const signature of sampled) {
    for (const observation of await observedDeposits(target, signature)) {
      if (!recorded.some((row) => sameTransfer(rowObservation(row), observation))) {
        problems.push(`${chain} ${signature} (${observation.asset} ${observation.amountBaseUnits}) is on chain in slot ${observation.blockOrSlot} and never recorded`);
      }
    }
  }
  return { checked: rows.length, sampled: sampled.size };
}
