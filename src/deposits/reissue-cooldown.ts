/**
 * How long an expired intent's amount stays reserved before another intent may take it: long enough
 * that no payment made inside the first intent's window can still be waiting to count (its block
 * deep enough, or finalized) when the amount is given to someone else. It is a margin for the clocks
 * (a block's timestamp against farebox's) plus the time the chain's confirmation depth takes.
 */

/** Margin past expiry for a block timestamp that runs ahead of farebox's clock (Solana's `blockTime` is a stake-weighted estimate). */
export const INTENT_EXPIRY_MARGIN_MS = 10 * 60_000;

/**
 * Worst-case time for an EVM block to become `finalized`: Ethereum finalizes after two epochs
 * (12.8–19.2 min); an L2's finalized head waits for its batch to be finalized on L1 (~20–30 min).
 */
export const EVM_FINALITY_MS = 30 * 60_000;

/** Solana's target slot time. */
export const SOLANA_SLOT_MS = 400;

/** Slots until a Solana block is `finalized` (a vote lockout of 32) or `confirmed` (one slot of votes). */
const SOLANA_DEPTH_SLOTS = { finalized: 32, confirmed: 1 } as const;

/** The reissue cool-down of an EVM chain crediting at `confirmations` blocks (or `finalized`) of `blockTimeMs` each. */
export function evmReissueCooldownMs(confirmations: "finalized" | number, blockTimeMs: number): number {
  const depthMs = confirmations === "finalized" ? EVM_FINALITY_MS : confirmations * blockTimeMs;
  return INTENT_EXPIRY_MARGIN_MS + depthMs;
}

/** The reissue cool-down of the Solana chain reading deposits at `commitment`. */
export function solanaReissueCooldownMs(commitment: keyof typeof SOLANA_DEPTH_SLOTS): number {
  return INTENT_EXPIRY_MARGIN_MS + SOLANA_DEPTH_SLOTS[commitment] * SOLANA_SLOT_MS;
}
