/**
 * What a finished request is charged: the serving endpoint's price × the usage it reported, plus
 * the fee, through computeCharge (DESIGN.md §2). The charge never exceeds the reservation (the ledger
 * refuses that); if an upstream reports far more prompt tokens than estimated, the excess is
 * recorded as uncollected rather than overdrawing the account.
 */
import type { Pricing, TokenUsage } from "../domain/charge.js";
import { computeCharge } from "../domain/charge.js";
import type { Nano } from "../domain/money.js";
import type { Usage } from "../providers/spec.js";
import type { PlannedAttempt } from "../routing/types.js";

/** The charge of one generation, in nano-USD. */
export interface Settlement {
  /** Provider list price actually charged. */
  usageNano: Nano;
  feeNano: Nano;
  /** usageNano + feeNano: what the account pays (`usage.cost`). */
  chargedNano: Nano;
  /** List-price split for `cost_details`. */
  promptBaseNano: Nano;
  completionBaseNano: Nano;
  /** Computed charge beyond the reservation that could not be collected (normally 0). */
  uncollectedNano: Nano;
  /** What prompt caching saved at list price (negative when cache writes cost extra); see Charge. */
  cacheDiscountNano: Nano;
  /** BYOK only: what the provider charged the account's own key at list price. */
  byokUpstreamNano?: Nano;
}

/** A zero charge (errors without output). */
export const NO_CHARGE: Settlement = Object.freeze({
  usageNano: 0n,
  feeNano: 0n,
  chargedNano: 0n,
  promptBaseNano: 0n,
  completionBaseNano: 0n,
  uncollectedNano: 0n,
  cacheDiscountNano: 0n,
});

/** Prices `usage` at `pricing` + fee, capped at what the request reserved. */
export function settleCharge(usage: Usage, images: number, pricing: Pricing, feeBps: number, reservedNano: Nano): Settlement {
  const full = computeCharge(tokenUsage(usage, images), pricing, feeBps);
  const usageNano = full.baseNano < reservedNano ? full.baseNano : reservedNano;
  const feeRoom = reservedNano - usageNano;
  const feeNano = full.feeNano < feeRoom ? full.feeNano : feeRoom;
  return {
    usageNano,
    feeNano,
    chargedNano: usageNano + feeNano,
    promptBaseNano: full.baseNano - full.completionNano,
    completionBaseNano: full.completionNano,
    uncollectedNano: full.totalNano - usageNano - feeNano,
    cacheDiscountNano: full.cacheDiscountNano,
  };
}

/**
 * A BYOK generation: the provider bills the account's key, so nothing is debited as usage;
 * the fee is fees.byok_bps of the list price (capped at the reservation like any charge).
 */
export function settleByok(usage: Usage, images: number, pricing: Pricing, byokFeeBps: number, reservedNano: Nano): Settlement {
  const full = computeCharge(tokenUsage(usage, images), pricing, byokFeeBps);
  const feeNano = full.feeNano < reservedNano ? full.feeNano : reservedNano;
  return {
    usageNano: 0n,
    feeNano,
    chargedNano: feeNano,
    promptBaseNano: full.baseNano - full.completionNano,
    completionBaseNano: full.completionNano,
    uncollectedNano: full.feeNano - feeNano,
    cacheDiscountNano: full.cacheDiscountNano,
    byokUpstreamNano: full.baseNano,
  };
}

/**
 * The token counts computeCharge reads, picked instead of spreading `usage`: the spread copied every
 * field of the upstream's usage on each settlement (heap sampling, npm run bench:profile).
 */
function tokenUsage(usage: Usage, images: number): TokenUsage {
  return {
    promptTokens: usage.promptTokens,
    completionTokens: usage.completionTokens,
    cachedPromptTokens: usage.cachedPromptTokens,
    cacheWritePromptTokens: usage.cacheWritePromptTokens,
    images,
  };
}

/** Settles at the attempt's terms: BYOK (fee only) or credit (list price + fee). */
export function settleAttempt(attempt: PlannedAttempt, usage: Usage, images: number, creditFeeBps: number, reservedNano: Nano): Settlement {
  return attempt.byok
    ? settleByok(usage, images, attempt.endpoint.pricing, attempt.byok.feeBps, reservedNano)
    : settleCharge(usage, images, attempt.endpoint.pricing, creditFeeBps, reservedNano);
}
