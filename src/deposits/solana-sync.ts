/**
 * The Solana listener's persistence: per-address cursors, the open Solana Pay references to look
 * for, and committing a scanned batch (credits and cursors in one transaction under the chain's
 * lock). Observations become the chain-agnostic shape here; crediting is the shared, idempotent
 * `confirmDeposit`, keyed (chain, signature, receiving account index, asset). Deposits are priced per
 * asset, in order per asset (asset-order.ts): one whose asset has no usable price yet is recorded
 * `seen` and waits, with every later deposit of that asset, while other assets are credited.
 */
import { creditParkedFromLinkedWallets } from "./parked-claims.js";
import { atomically } from "../db/atomic.js";
import type { Db } from "../db/client.js";
import type { DepositObservation } from "../chains/observation.js";
import { watchedAddresses } from "../chains/solana/assets.js";
import type { SolanaDepositObservation } from "../chains/solana/observation.js";
import type { SolanaScanBatch, SolanaScanConfig, SolanaScanCursor } from "../chains/solana/scanner.js";
import { referenceableIntents } from "./attribution.js";
import { confirmDeposit } from "./credit.js";
import { valuePerAsset, waitingForPrice } from "./asset-order.js";
import { recordSeen } from "./pending.js";
import { getCursor, setCursor, tryChainLock } from "./cursors.js";
import type { AssetValuer } from "./types.js";

/** A batch could not be committed yet (another process holds the chain). */
export class SolanaBatchDeferred extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "SolanaBatchDeferred";
  }
}

/** Cursor rows are per watched address, under the chain's key. */
export function cursorKey(chain: string, address: string): string {
  return `${chain}/${address}`;
}

/** Converts a scanner observation to the shared deposit shape. */
export function toDepositObservation(chain: string, observation: SolanaDepositObservation): DepositObservation {
  return {
    chain,
    txId: observation.signature,
    // The receiving account's position in the transaction: with the asset, one row per credited account.
    index: observation.accountKeys.indexOf(observation.to),
    from: observation.senders[0] ?? "",
    senders: observation.senders,
    to: observation.to,
    asset: observation.symbol,
    amountBaseUnits: observation.amountBaseUnits,
    blockOrSlot: BigInt(observation.slot),
    memoOrReference: observation.reference,
    ...(observation.blockTime === null ? {} : { blockTime: new Date(observation.blockTime * 1000) }),
  };
}

export interface SolanaStoreDeps {
  db: Db;
  chain: string;
  scan: SolanaScanConfig;
  valuer: AssetValuer;
  now: () => Date;
  /** Told why deposits of an asset wait (a stale price), once per batch that leaves some waiting. */
  onWaiting?: (reason: string) => void;
}

/** The newest slot a batch's cursor reached: every deposit recorded so far is at or below it. */
function cursorSlot(cursor: SolanaScanCursor): bigint {
  return BigInt(Math.max(0, ...Object.values(cursor).map((position) => position.slot)));
}

/** The listener store over the database (see workers/solana-listener.ts). */
export function createSolanaListenerStore(deps: SolanaStoreDeps) {
  const addresses = watchedAddresses(deps.scan.treasury, deps.scan.assets);
  return {
    async loadCursor(): Promise<SolanaScanCursor> {
      const cursor: SolanaScanCursor = {};
      for (const address of addresses) {
        const stored = await getCursor(deps.db, cursorKey(deps.chain, address));
        if (stored) cursor[address] = { signature: stored.hash, slot: Number(stored.block) };
      }
      return cursor;
    },
    async openReferences(): Promise<string[]> {
      return (await referenceableIntents(deps.db, deps.chain, deps.now())).map((intent) => intent.reference);
    },
    async commitBatch(batch: SolanaScanBatch): Promise<void> {
      // An asset with an older deposit still waiting for its price keeps its order: its new deposits wait too.
      const blocked = new Set((await waitingForPrice(deps.db, deps.chain, cursorSlot(batch.cursor))).map((o) => o.asset));
      const observations = batch.observations.map((o) => toDepositObservation(deps.chain, o));
      const { valued, waiting, reason } = await valuePerAsset(deps.valuer, observations, blocked);
      await atomically<void>(deps.db, async (tx) => {
        if (!(await tryChainLock(tx, deps.chain))) throw new SolanaBatchDeferred("another process is crediting this chain");
        const now = deps.now();
        for (const v of valued) await confirmDeposit(tx, v, now);
        await recordSeen(tx, waiting.map((observation) => ({ observation, confirmations: 0 })), now);
        await creditParkedFromLinkedWallets(tx, deps.chain, now);
        for (const [address, position] of Object.entries(batch.cursor)) {
          await setCursor(tx, cursorKey(deps.chain, address), { block: BigInt(position.slot), hash: position.signature }, now);
        }
      });
      if (reason !== undefined) deps.onWaiting?.(reason);
    },
    async creditWaiting(cursor: SolanaScanCursor): Promise<void> {
      const waiting = await waitingForPrice(deps.db, deps.chain, cursorSlot(cursor));
      if (waiting.length === 0) return;
      const { valued, reason } = await valuePerAsset(deps.valuer, waiting);
      if (valued.length > 0) {
        await atomically<void>(deps.db, async (tx) => {
          if (!(await tryChainLock(tx, deps.chain))) return;
          const now = deps.now();
          for (const v of valued) await confirmDeposit(tx, v, now);
        });
      }
      if (reason !== undefined) deps.onWaiting?.(reason);
    },
  };
}
