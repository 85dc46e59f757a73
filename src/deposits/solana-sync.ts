/**
 * The Solana listener's persistence: per-address cursors, the open Solana Pay references to look
 * for, and committing a scanned batch (credits and cursors in one transaction under the chain's
 * lock). Observations become the chain-agnostic shape here; crediting is the shared, idempotent
 * `confirmDeposit`, keyed (chain, signature, receiving account index, asset).
 */
import { creditParkedFromLinkedWallets } from "./parked-claims.js";
import { atomically } from "../db/atomic.js";
import type { Db } from "../db/client.js";
import type { DepositObservation } from "../chains/observation.js";
import { watchedAddresses } from "../chains/solana/assets.js";
import type { SolanaDepositObservation } from "../chains/solana/observation.js";
import type { SolanaScanBatch, SolanaScanConfig, SolanaScanCursor } from "../chains/solana/scanner.js";
import { referenceableIntents } from "./attribution.js";
import { confirmDeposit, type ValuedObservation } from "./credit.js";
import { getCursor, setCursor, tryChainLock } from "./cursors.js";
import type { AssetValuer } from "./types.js";

/** A batch could not be committed yet (price not ready, another process holds the chain). */
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
      const valued: ValuedObservation[] = [];
      for (const solanaObservation of batch.observations) {
        const observation = toDepositObservation(deps.chain, solanaObservation);
        const value = await deps.valuer(observation.asset, observation.amountBaseUnits);
        // Nothing of this batch commits; the cursor stays and the next pass retries it.
        if (value.kind === "not_ready") throw new SolanaBatchDeferred(value.reason);
        valued.push({ observation, valueNano: value.valueNano, rate: value.rate });
      }
      await atomically<void>(deps.db, async (tx) => {
        if (!(await tryChainLock(tx, deps.chain))) throw new SolanaBatchDeferred("another process is crediting this chain");
        const now = deps.now();
        for (const v of valued) await confirmDeposit(tx, v, now);
        await creditParkedFromLinkedWallets(tx, deps.chain, now);
        for (const [address, position] of Object.entries(batch.cursor)) {
          await setCursor(tx, cursorKey(deps.chain, address), { block: BigInt(position.slot), hash: position.signature }, now);
        }
      });
    },
  };
}
