import type { DepositObservation } from "../chains/observation.js";

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
