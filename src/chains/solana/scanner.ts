/**
 * One pass of the Solana deposit scanner: collect new signatures of the treasury wallet and
 * its token accounts back to the persisted cursors (plus an overlap re-scan), fetch them with
 * getParsedTransactions at the configured commitment (`maxSupportedTransactionVersion: 1`),
 * and hand plain observations and the advanced cursor to `onBatch`, oldest first, in bounded
 * batches. The caller persists each batch's credits and cursor in one database transaction,
 * so a crash mid-pass resumes after the last committed batch. Failed transactions are
 * skipped; an undecodable one is logged and skipped; a transport error ends the pass with the
 * cursor where it was.
 */
import type { ConfirmedSignatureInfo, Connection, Finality, ParsedTransactionWithMeta } from "@solana/web3.js";
import { watchedAddresses } from "./assets.js";
import { observeTransaction, type SolanaAssetSpec, type SolanaDepositObservation } from "./observation.js";
import { collectSignatures, findReferenceSignatures, type SignatureCursor } from "./signatures.js";

/** Per watched address, the newest signature handled. Plain JSON, safe to persist. */
export type SolanaScanCursor = Record<string, SignatureCursor>;

/** Where warnings go (undecodable transactions). */
export interface ScanLogger {
  warn(message: string, details?: Record<string, unknown>): void;
}

export interface SolanaScanConfig {
  treasury: string;
  assets: SolanaAssetSpec[];
  commitment: Finality;
  /** getSignaturesForAddress page size, 1..1000. */
  pageLimit?: number;
  /** Signatures below each cursor re-scanned every pass. */
  overlap?: number;
  /** Transactions fetched per getParsedTransactions call and per onBatch. */
  batchSize?: number;
  logger?: ScanLogger;
  /**
   * How many references (the first given, newest intents first) are looked up with their own
   * getSignaturesForAddress each pass; every reference is also matched against the account keys
   * of the treasury's transactions, which costs no request.
   */
  referenceLookups?: number;
}

/** What one committed step of a pass carries. */
export interface SolanaScanBatch {
  observations: SolanaDepositObservation[];
  cursor: SolanaScanCursor;
}

export interface SolanaScanResult {
  cursor: SolanaScanCursor;
  observations: number;
  /** Signatures that could not be decoded and were skipped. */
  skipped: string[];
  /** False when the pass stopped early because a listed transaction was not yet served. */
  complete: boolean;
}

interface Candidate {
  info: ConfirmedSignatureInfo;
  /** Addresses whose cursor this signature may advance (it was past their cursor). */
  advances: string[];
  order: number;
}

/** Runs one pass from `cursor`; `references` are open Solana Pay reference keys to match. */
export async function scanSolanaDeposits(
  connection: Connection,
  config: SolanaScanConfig,
  cursor: SolanaScanCursor,
  onBatch: (batch: SolanaScanBatch) => Promise<void>,
  references: string[] = [],
): Promise<SolanaScanResult> {
  const pageLimit = config.pageLimit ?? 1000;
  const batchSize = config.batchSize ?? 100;
  const candidates = await gatherCandidates(connection, config, cursor, pageLimit);
  const lookups = references.slice(0, config.referenceLookups ?? 50);
  const referenceBySignature = await matchReferences(connection, lookups, config.commitment);
  const openReferences = new Set(references);
  const next: SolanaScanCursor = { ...cursor };
  const result: SolanaScanResult = { cursor: next, observations: 0, skipped: [], complete: true };

  for (let start = 0; start < candidates.length; start += batchSize) {
    const chunk = candidates.slice(start, start + batchSize);
    const fetched = await fetchTransactions(connection, chunk, config, result.skipped);
    const observations: SolanaDepositObservation[] = [];
    let stopped = false;
    for (const [index, candidate] of chunk.entries()) {
      const tx = fetched[index];
      if (tx === null) {
        // Listed at this commitment but not served yet: stop here, retry next pass.
        stopped = true;
        break;
      }
      if (tx !== undefined) {
        for (const observation of observeTransaction(candidate.info.signature, tx, config.treasury, config.assets)) {
          const reference =
            referenceBySignature.get(candidate.info.signature) ??
            observation.accountKeys.find((key) => openReferences.has(key));
          observations.push(reference === undefined ? observation : { ...observation, reference });
        }
      }
      const { signature, slot } = candidate.info;
      for (const address of candidate.advances) next[address] = { signature, slot };
    }
    await onBatch({ observations, cursor: { ...next } });
    result.observations += observations.length;
    if (stopped) {
      result.complete = false;
      break;
    }
  }
  return result;
}

async function gatherCandidates(
  connection: Connection,
  config: SolanaScanConfig,
  cursor: SolanaScanCursor,
  pageLimit: number,
): Promise<Candidate[]> {
  const bySignature = new Map<string, Candidate>();
  let order = 0;
  for (const address of watchedAddresses(config.treasury, config.assets)) {
    const { fresh, overlap } = await collectSignatures(connection, address, cursor[address], {
      commitment: config.commitment,
      pageLimit,
      overlap: config.overlap ?? 50,
    });
    // Lists are newest first; walk them oldest first so order follows the chain.
    const lists: [ConfirmedSignatureInfo[], boolean][] = [
      [overlap, false],
      [fresh, true],
    ];
    for (const [list, isFresh] of lists) {
      for (let index = list.length - 1; index >= 0; index -= 1) {
        const info = list[index]!;
        const existing = bySignature.get(info.signature);
        if (existing === undefined) {
          bySignature.set(info.signature, { info, advances: isFresh ? [address] : [], order: order++ });
        } else if (isFresh) {
          existing.advances.push(address);
        }
      }
    }
  }
  return [...bySignature.values()].sort((a, b) => a.info.slot - b.info.slot || a.order - b.order);
}

async function matchReferences(
  connection: Connection,
  references: string[],
  commitment: Finality,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const reference of references) {
    for (const info of await findReferenceSignatures(connection, reference, commitment)) {
      if (info.err === null && !out.has(info.signature)) out.set(info.signature, reference);
    }
  }
  return out;
}

/**
 * Fetches a chunk: null = not served (yet), undefined = nothing to read (failed on chain or
 * undecodable). One bad transaction fails web3.js's whole batch, so the chunk is then
 * re-fetched one by one and only the undecodable ones are skipped.
 */
async function fetchTransactions(
  connection: Connection,
  chunk: Candidate[],
  config: SolanaScanConfig,
  skipped: string[],
): Promise<(ParsedTransactionWithMeta | null | undefined)[]> {
  const wanted = chunk.filter((candidate) => candidate.info.err === null).map((candidate) => candidate.info.signature);
  const options = { commitment: config.commitment, maxSupportedTransactionVersion: 1 };
  const found = new Map<string, ParsedTransactionWithMeta | null | undefined>();
  if (wanted.length === 0) return chunk.map(() => undefined);
  try {
    const results = await connection.getParsedTransactions(wanted, options);
    wanted.forEach((signature, index) => found.set(signature, results[index] ?? null));
  } catch {
    for (const signature of wanted) {
      try {
        found.set(signature, await connection.getParsedTransaction(signature, options));
      } catch (error) {
        if (!isUndecodable(error)) throw error;
        config.logger?.warn("skipping undecodable Solana transaction", { signature, error: String(error) });
        skipped.push(signature);
        found.set(signature, undefined);
      }
    }
  }
  return chunk.map((candidate) => (candidate.info.err === null ? found.get(candidate.info.signature) : undefined));
}

/** A response the client library cannot represent (shape or version), as opposed to a transport fault. */
function isUndecodable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === "StructError") return true;
  const code = (error as { code?: unknown }).code;
  // -32015: transaction version not supported by the requested maxSupportedTransactionVersion.
  return code === -32015;
}
