/**
 * Before a seen deposit is given up as orphaned, its transaction is re-read from its receipt: a log
 * answer that missed it (a node behind the head) or a reorg that re-included it elsewhere must not
 * lose a payment that is canonical and succeeded.
 */
import type { PublicClient } from "viem";
import type { DepositObservation } from "../chains/observation.js";
import { checkDepositTransaction, sameTransfer } from "../chains/evm/receipt.js";
import type { EvmWatch } from "../chains/evm/scanner.js";

/** Where a seen deposit's transfer is now: on the canonical chain (at `observation`), or gone. */
export type RecheckOutcome = { kind: "on_chain"; observation: DepositObservation } | { kind: "gone" };

/** Re-reads the receipt of a seen deposit's transaction and finds its transfer there. */
export async function recheckSeenDeposit(client: PublicClient, watch: EvmWatch, row: DepositObservation): Promise<RecheckOutcome> {
  const check = await checkDepositTransaction(client, watch, row.txId);
  if (check.kind !== "included") return { kind: "gone" };
  const exact = check.observations.find((o) => o.index === row.index && sameTransfer(row, o));
  const found = exact ?? check.observations.find((o) => sameTransfer(row, o));
  return found ? { kind: "on_chain", observation: found } : { kind: "gone" };
}
