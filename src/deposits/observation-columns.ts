import type { DepositObservation } from "../chains/observation.js";
import type { deposits } from "../db/schema/index.js";

/** The deposits-table columns that come straight from a chain observation. */
export function observationColumns(o: DepositObservation) {
  return {
    fromAddress: o.from,
    toAddress: o.to,
    amountBaseUnits: o.amountBaseUnits,
    blockOrSlot: o.blockOrSlot,
    blockHash: o.blockHash ?? null,
    blockTime: o.blockTime ?? null,
    memoOrReference: o.memoOrReference ?? null,
  };
}

/** A stored deposit row as the observation it was recorded from. */
export function rowObservation(row: typeof deposits.$inferSelect): DepositObservation {
  return {
    chain: row.chain,
    txId: row.txId,
    index: row.logIndex,
    from: row.fromAddress,
    to: row.toAddress,
    asset: row.asset,
    amountBaseUnits: row.amountBaseUnits,
    blockOrSlot: row.blockOrSlot,
    blockHash: row.blockHash ?? undefined,
    blockTime: row.blockTime ?? undefined,
    memoOrReference: row.memoOrReference ?? undefined,
  };
}
