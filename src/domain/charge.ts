import { feeFor, tokenCost, type Nano } from "./money.js";

/**
 * Prices of one endpoint, in integers: nano-USD per million tokens for each token class,
 * nano-USD per request and per input image.
 */
export interface Pricing {
  promptNanoPerMillion: Nano;
  completionNanoPerMillion: Nano;
  /** Price of prompt tokens read from the provider's cache; prompt price when absent. */
  cacheReadNanoPerMillion?: Nano;
  /** Price of prompt tokens written to the provider's cache; prompt price when absent. */
  cacheWriteNanoPerMillion?: Nano;
  requestNano?: Nano;
  imageNano?: Nano;
  /**
   * Long-context prices: a request whose prompt (cached tokens included)
   * has more than `abovePromptTokens` tokens pays the highest such tier's prices for every token.
   */
  tiers?: readonly PriceTier[];
}

/** The token prices that replace the base ones above a prompt length. */
export interface PriceTier {
  abovePromptTokens: number;
  promptNanoPerMillion?: Nano;
  completionNanoPerMillion?: Nano;
  cacheReadNanoPerMillion?: Nano;
  cacheWriteNanoPerMillion?: Nano;
}

/** The prices a request with `promptTokens` prompt tokens pays: the base, or the tier it falls in. */
export function pricingAt(pricing: Pricing, promptTokens: number): Pricing {
  let tier: PriceTier | undefined;
  for (const candidate of pricing.tiers ?? []) {
    if (promptTokens > candidate.abovePromptTokens && (!tier || candidate.abovePromptTokens > tier.abovePromptTokens)) tier = candidate;
  }
  if (!tier) return pricing;
  return {
    ...pricing,
    promptNanoPerMillion: tier.promptNanoPerMillion ?? pricing.promptNanoPerMillion,
    completionNanoPerMillion: tier.completionNanoPerMillion ?? pricing.completionNanoPerMillion,
    ...(tier.cacheReadNanoPerMillion === undefined ? {} : { cacheReadNanoPerMillion: tier.cacheReadNanoPerMillion }),
    ...(tier.cacheWriteNanoPerMillion === undefined ? {} : { cacheWriteNanoPerMillion: tier.cacheWriteNanoPerMillion }),
  };
}

/** Token counts by billing class, as reported by the upstream. */
export interface TokenUsage {
  /** All prompt tokens, cached ones included (OpenAI's convention). */
  promptTokens: number;
  completionTokens: number;
  cachedPromptTokens?: number;
  cacheWritePromptTokens?: number;
  images?: number;
}

export interface Charge {
  /** What the provider's list price comes to. */
  baseNano: Nano;
  feeNano: Nano;
  totalNano: Nano;
  /**
   * What prompt caching changed in `baseNano` (OpenRouter's `cache_discount`): the cached and
   * cache-written tokens at the prompt price minus what they cost at the cache prices. Positive
   * when cache reads saved money; negative when cache writes (priced above the prompt) cost extra.
   */
  cacheDiscountNano: Nano;
  /** The completion tokens' part of `baseNano` (the rest is the prompt's, per request and per image). */
  completionNano: Nano;
}

/**
 * The one function that prices a request (DESIGN.md §2): each token class is
 * `ceil(tokens × price_per_million / 1e6)` at the tier the prompt length falls in, summed with
 * per-request and per-image prices, then `fee = ceil(base × fee_bps / 10000)` and
 * `total = base + fee`.
 */
export function computeCharge(usage: TokenUsage, listed: Pricing, feeBps: number): Charge {
  const pricing = listed.tiers === undefined ? listed : pricingAt(listed, usage.promptTokens);
  if ((usage.cachedPromptTokens ?? 0) === 0 && (usage.cacheWritePromptTokens ?? 0) === 0 && (usage.images ?? 0) === 0) {
    return promptAndCompletionCharge(usage.promptTokens, usage.completionTokens, pricing, feeBps);
  }
  return everyTermCharge(usage, pricing, feeBps);
}

/**
 * computeCharge's formula with every term, at `pricing` (the tier already picked). Exported for
 * test/domain/charge.test.ts, which holds the common request's shortcut below equal to it.
 */
export function everyTermCharge(usage: TokenUsage, pricing: Pricing, feeBps: number): Charge {
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

/**
 * computeCharge of a request without cached or cache-written tokens or images: the same sums with
 * the zero terms left out (every bigint operation allocates; the full formula does ≈25 of them,
 * this ≈12). The common request's case, priced at least twice per request (quote and settlement):
 * 147 → 85 ns per call (micro-benchmark, alternated), computeCharge's bytes allocated per request
 * 1,115 → 575 (npm run bench:profile, PROFILE_ALLOCATIONS=1). test/domain/charge.test.ts holds the
 * result equal to everyTermCharge's.
 */
function promptAndCompletionCharge(promptTokens: number, completionTokens: number, pricing: Pricing, feeBps: number): Charge {
  const completionNano = tokenCost(BigInt(completionTokens), pricing.completionNanoPerMillion);
  let baseNano = tokenCost(maxZero(BigInt(promptTokens)), pricing.promptNanoPerMillion) + completionNano;
  if (pricing.requestNano !== undefined) baseNano += pricing.requestNano;
  const feeNano = feeFor(baseNano, feeBps);
  return { baseNano, feeNano, totalNano: baseNano + feeNano, cacheDiscountNano: 0n, completionNano };
}

function maxZero(value: bigint): bigint {
  return value < 0n ? 0n : value;
}
