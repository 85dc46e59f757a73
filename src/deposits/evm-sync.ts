/**
 * One pass of an EVM chain's deposit listener: credit what became deep enough (from the persisted
 * cursor, in bounded ranges, credits and cursor in one transaction under the chain's lock), then record
 * what is still confirming and orphan what a reorg removed.
 */
import type { PublicClient } from "viem";
import { atomically } from "../db/atomic.js";
import type { Db } from "../db/client.js";
import type { BlockCursor, DepositObservation } from "../chains/observation.js";
import { readBounded, type RangeSizer } from "../chains/evm/range.js";
import {
  blockHashAt,
  confirmationsAt,
  creditableHead,
  cursorIsCanonical,
  IncompleteRangeError,
  readCoveredRange,
  readDeposits,
  type Confirmations,
  type CoveredRange,
  type EvmWatch,
} from "../chains/evm/scanner.js";
import { confirmDeposit } from "./credit.js";
import { getCursor, setCursor, tryChainLock } from "./cursors.js";
import { sameTransfer } from "../chains/evm/receipt.js";
import { recheckSeenDeposit } from "./orphan-check.js";
import { creditedInRange, markOrphaned, recordSeen, refreshConfirmations, seenAbove, seenInRange } from "./pending.js";
import { moveToObservation } from "./reinclusion.js";
import { reverseDeposit } from "./reversal.js";
import { creditParkedFromLinkedWallets } from "./parked-claims.js";
import { valuePerAsset, waitingForPrice } from "./asset-order.js";
import type { AssetValuer } from "./types.js";

/** Everything one chain's sync needs, passed in. */
export interface EvmSyncDeps {
  db: Db;
  client: PublicClient;
  watch: EvmWatch;
  confirmations: Confirmations;
  sizer: RangeSizer;
  valuer: AssetValuer;
  now: () => Date;
  /** First block to watch when no cursor is stored; default: the current creditable head + 1. */
  startBlock?: bigint;
  /** How many blocks above the credit depth are scanned for "seen" deposits (default 256). */
  pendingWindow?: bigint;
  /** How far the cursor is moved back when its own block was replaced (default 64). */
  rewindDepth?: bigint;
  /** Told the id of each credited deposit reversed because its transaction left the chain (for /metrics and logs). */
  onReversed?: (depositId: string) => void;
  /** Per-listener memory of how far pending blocks were scanned (kept between passes). */
  pendingMemo?: { scannedTo?: BlockCursor };
}

/** What one chunk did. */
export type ChunkResult =
  | { kind: "locked_elsewhere" }
  | { kind: "rewound"; cursor: BlockCursor }
  | { kind: "idle"; cursor: BlockCursor }
  | { kind: "advanced"; cursor: BlockCursor; credited: number; parked: number; caughtUp: boolean }
  | { kind: "stalled"; cursor: BlockCursor; reason: string; caughtUp?: boolean };

async function initialCursor(deps: EvmSyncDeps, target: bigint): Promise<BlockCursor> {
  const start = deps.startBlock ?? target + 1n;
  const block = start - 1n;
  if (block < 0n) return { block: -1n, hash: "" };
  return { block, hash: (await blockHashAt(deps.client, block)) ?? "" };
}

function sameCursor(a: BlockCursor | undefined, b: BlockCursor | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.block === b.block && a.hash === b.hash);
}

/**
 * Writes under the chain's lock, only if the stored cursor is still the one the reads started from;
 * otherwise another listener moved it meanwhile and this pass yields.
 */
async function writeIfUnmoved(deps: EvmSyncDeps, started: BlockCursor | undefined, write: (tx: Db) => Promise<ChunkResult>): Promise<ChunkResult> {
  return atomically<ChunkResult>(deps.db, async (tx) => {
    if (!(await tryChainLock(tx, deps.watch.chain))) return { kind: "locked_elsewhere" };
    if (!sameCursor(await getCursor(tx, deps.watch.chain), started)) return { kind: "locked_elsewhere" };
    return write(tx);
  });
}

/**
 * Credits the next bounded range of deep-enough blocks. Chain reads and price reads happen first, outside
 * any transaction; then credits and the cursor are written in one transaction under the chain's lock,
 * provided no other listener moved the cursor meanwhile. Call repeatedly until caught up.
 */
export async function creditNextChunk(deps: EvmSyncDeps): Promise<ChunkResult> {
  const { target, latest } = await creditableHead(deps.client, deps.confirmations);
  const chain = deps.watch.chain;
  const stored = await getCursor(deps.db, chain);
  const cursor = stored ?? (await initialCursor(deps, target));
  if (!(await cursorIsCanonical(deps.client, cursor))) {
    // The cursor's own block was replaced: a reorg deeper than the credit depth. Step back and rescan;
    // observation keys keep anything already credited from being credited again.
    const block = cursor.block - (deps.rewindDepth ?? 64n);
    const rewound = block < 0n ? { block: -1n, hash: "" } : { block, hash: (await blockHashAt(deps.client, block)) ?? "" };
    return writeIfUnmoved(deps, stored, async (tx) => {
      await setCursor(tx, chain, rewound, deps.now());
      return { kind: "rewound", cursor: rewound };
    });
  }
  if (cursor.block >= target) {
    if (stored) return { kind: "idle", cursor };
    return writeIfUnmoved(deps, stored, async (tx) => {
      await setCursor(tx, chain, cursor, deps.now());
      return { kind: "idle", cursor };
    });
  }
  const from = cursor.block + 1n;
  const parentHash = cursor.block >= 0n && cursor.hash !== "" ? cursor.hash : undefined;
  const read = await readBounded(deps.sizer, from, target, (a, b) => readCoveredRange(deps.client, deps.watch, a, b, parentHash));
  // An asset with an older deposit still waiting for its price keeps its order: its new deposits wait too.
  const blocked = new Set((await waitingForPrice(deps.db, chain, cursor.block)).map((o) => o.asset));
  const { valued, waiting, reason } = await valuePerAsset(deps.valuer, read.value.observations, blocked);
  const covered = read.value.last;
  const to = covered.block;
  const next = covered;
  const missing = await missingFromRange(deps, from, to, read.value);
  return writeIfUnmoved(deps, stored, async (tx) => {
    const now = deps.now();
    let credited = 0;
    let parked = 0;
    for (const v of valued) {
      const outcome = await confirmDeposit(tx, v, now);
      if (outcome === "credited") credited += 1;
      if (outcome === "unattributed") parked += 1;
    }
    await recordSeen(tx, missing.movedOut.map((observation) => ({ observation, confirmations: 0 })), now);
    await recordSeen(tx, waiting.map((observation) => ({ observation, confirmations: confirmationsAt(observation.blockOrSlot, latest) })), now);
    await markOrphaned(tx, missing.gone);
    for (const moved of missing.creditedMoved) await moveToObservation(tx, moved.id, moved.observation);
    for (const id of missing.vanished) {
      if (await reverseDeposit(tx, id, now)) deps.onReversed?.(id);
    }
    await setCursor(tx, chain, next, now);
    if (waiting.length > 0) return { kind: "stalled", cursor: next, reason: reason ?? "not ready", caughtUp: to >= target || covered.block < read.to };
    // A read cut short (a block's logs not available yet) ends this pass; the next one resumes there.
    return { kind: "advanced", cursor: next, credited, parked, caughtUp: to >= target || covered.block < read.to };
  });
}

/** What the range read did not return of the deposits recorded in it, each re-checked against its receipt. */
interface MissingDeposits {
  /** Seen deposits whose transaction is gone: orphan them. */
  gone: string[];
  /** Seen deposits re-included above the range: still confirming there. */
  movedOut: DepositObservation[];
  /** Credited deposits re-included above the range: the row follows the transfer, the credit stays. */
  creditedMoved: { id: string; observation: DepositObservation }[];
  /** Credited deposits whose transaction left the canonical chain: reverse them. */
  vanished: string[];
}

/**
 * Deposits recorded in [from, to] (seen, or credited in a block the read found replaced) that the read
 * did not return, each re-checked against its receipt: gone, re-included above `to`, or canonical inside
 * the range, which means the range answer was incomplete and nothing of it may be committed.
 */
async function missingFromRange(deps: EvmSyncDeps, from: bigint, to: bigint, read: CoveredRange): Promise<MissingDeposits> {
  const missing: MissingDeposits = { gone: [], movedOut: [], creditedMoved: [], vanished: [] };
  const rows = [
    ...(await seenInRange(deps.db, deps.watch.chain, from, to)),
    ...(await creditedInRange(deps.db, deps.watch.chain, from, to)).filter((row) => read.hashes.get(row.blockOrSlot) !== row.blockHash),
  ];
  for (const row of rows) {
    if (read.observations.some((o) => sameTransfer(row, o))) continue;
    const outcome = await recheckSeenDeposit(deps.client, deps.watch, row);
    if (outcome.kind === "on_chain" && outcome.observation.blockOrSlot <= to) {
      throw new IncompleteRangeError(`deposit ${row.txId} is canonical in block ${outcome.observation.blockOrSlot} but the read of ${from}–${to} missed it`);
    }
    if (row.status === "credited") {
      if (outcome.kind === "gone") missing.vanished.push(row.id);
      else missing.creditedMoved.push({ id: row.id, observation: outcome.observation });
    } else if (outcome.kind === "gone") missing.gone.push(row.id);
    else missing.movedOut.push(outcome.observation);
  }
  return missing;
}

/**
 * Records deposits above the cursor as seen (with confirmations) and orphans those whose block was
 * replaced. Blocks already scanned by this listener are not read again while their hash holds.
 * Returns the chain head it tracked up to.
 */
export async function trackPending(deps: EvmSyncDeps): Promise<bigint> {
  const { target, latest } = await creditableHead(deps.client, deps.confirmations);
  const chain = deps.watch.chain;
  const cursor = await getCursor(deps.db, chain);
  // From the cursor, not the depth: a deposit deep enough but waiting for a price is still shown as seen.
  const floor = cursor ? cursor.block : target;
  const window = deps.pendingWindow ?? 256n;
  let from = floor + 1n > latest - window + 1n ? floor + 1n : latest - window + 1n;
  const memo = deps.pendingMemo;
  if (memo?.scannedTo && memo.scannedTo.block >= from && memo.scannedTo.block <= latest) {
    if ((await blockHashAt(deps.client, memo.scannedTo.block)) === memo.scannedTo.hash) from = memo.scannedTo.block + 1n;
  }
  // A seen deposit whose block was replaced is orphaned only if its receipt does not show it elsewhere.
  const replaced: string[] = [];
  const reincluded: DepositObservation[] = [];
  for (const row of await seenAbove(deps.db, chain, floor)) {
    if ((await blockHashAt(deps.client, row.blockOrSlot)) === row.blockHash) continue;
    const outcome = await recheckSeenDeposit(deps.client, deps.watch, row);
    if (outcome.kind === "gone") replaced.push(row.id);
    else reincluded.push(outcome.observation);
  }
  const observations = from <= latest ? await readDeposits(deps.client, deps.watch, from, latest) : [];
  const latestHash = await blockHashAt(deps.client, latest);
  await atomically<void>(deps.db, async (tx) => {
    if (!(await tryChainLock(tx, chain))) return;
    await markOrphaned(tx, replaced);
    await recordSeen(
      tx,
      [...reincluded, ...observations].map((observation) => ({ observation, confirmations: confirmationsAt(observation.blockOrSlot, latest) })),
      deps.now(),
    );
    await refreshConfirmations(tx, chain, latest);
    await creditParkedFromLinkedWallets(tx, chain, deps.now());
  });
  if (memo && latestHash) memo.scannedTo = { block: latest, hash: latestHash };
  return latest;
}

/** Credits deposits below the cursor that waited for their asset's price, oldest first per asset. */
async function creditWaiting(deps: EvmSyncDeps, cursor: BlockCursor): Promise<void> {
  const chain = deps.watch.chain;
  const waiting = await waitingForPrice(deps.db, chain, cursor.block);
  if (waiting.length === 0) return;
  const { valued } = await valuePerAsset(deps.valuer, waiting);
  if (valued.length === 0) return;
  await atomically<void>(deps.db, async (tx) => {
    if (!(await tryChainLock(tx, chain))) return;
    const now = deps.now();
    for (const v of valued) await confirmDeposit(tx, v, now);
  });
}

/** What one sync pass did: its last chunk's outcome and, unless another process works the chain, the head it saw. */
export type SyncResult = { kind: "locked_elsewhere" } | (Exclude<ChunkResult, { kind: "locked_elsewhere" }> & { headBlock: bigint });

/** Credits everything deep enough (chunk by chunk), then tracks pending deposits. */
export async function syncEvmChain(deps: EvmSyncDeps): Promise<SyncResult> {
  let last: ChunkResult;
  for (;;) {
    last = await creditNextChunk(deps);
    if ((last.kind !== "advanced" && last.kind !== "stalled") || last.caughtUp !== false) break;
  }
  if (last.kind === "locked_elsewhere") return last;
  await creditWaiting(deps, last.cursor);
  return { ...last, headBlock: await trackPending(deps) };
}
