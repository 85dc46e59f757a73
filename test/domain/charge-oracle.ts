/**
 * computeCharge as it was before its common case was made cheaper (kept verbatim, only renamed):
 * the oracle charge.test.ts holds the current implementation equal to, bit for bit.
 */
import type { Charge, Pricing, TokenUsage } from "../../src/domain/charge.js";
import { pricingAt } from "../../src/domain/charge.js";
import { feeFor, tokenCost } from "../../src/domain/money.js";

export function computeChargeOracle(usage: TokenUsage, listed: Pricing, feeBps: number): Charge {
  const pricing = pricingAt(listed, usage.promptTokens);
  const cached = BigInt(usage.cachedPromptTokens ?? 0);
  const cacheWrite = BigInt(usage.cacheWritePromptTokens ?? 0);
  const uncachedPrompt = maxZero(BigInt(usage.promptTokens) - cached - cacheWrite);
  const cacheReadNano = tokenCost(cached, pricing.cacheReadNanoPerMillion ?? pricing.promptNanoPerMillion);
  const cacheWriteNano = tokenCost(cacheWrite, pricing.cacheWriteNanoPerMillion ?? pricing.promptNanoPerMillion);
  const completionNano = tokenCost(BigInt(usage.completionTokens), pricing.completionNanoPerMillion);
  const baseNano =
    tokenCost(uncachedPrompt, pricing.promptNanoPerMillion) +
    cacheReadNano +
    cacheWriteNano +
    completionNano +
    (pricing.requestNano ?? 0n) +
    BigInt(usage.images ?? 0) * (pricing.imageNano ?? 0n);
  const feeNano = feeFor(baseNano, feeBps);
  const atPromptPrice = tokenCost(cached, pricing.promptNanoPerMillion) + tokenCost(cacheWrite, pricing.promptNanoPerMillion);
  return { baseNano, feeNano, totalNano: baseNano + feeNano, cacheDiscountNano: atPromptPrice - cacheReadNano - cacheWriteNano, completionNano };
}

function maxZero(value: bigint): bigint {
  return value < 0n ? 0n : value;
}
