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
}

/**
 * The one function that prices a request (DESIGN.md §2): each token class is
 * `ceil(tokens × price_per_million / 1e6)`, summed with per-request and per-image prices,
 * then `fee = ceil(base × fee_bps / 10000)` and `total = base + fee`.
 */
export function computeCharge(usage: TokenUsage, pricing: Pricing, feeBps: number): Charge {
  const cached = BigInt(usage.cachedPromptTokens ?? 0);
  const cacheWrite = BigInt(usage.cacheWritePromptTokens ?? 0);
  const uncachedPrompt = maxZero(BigInt(usage.promptTokens) - cached - cacheWrite);
  const cacheReadNano = tokenCost(cached, pricing.cacheReadNanoPerMillion ?? pricing.promptNanoPerMillion);
  const cacheWriteNano = tokenCost(cacheWrite, pricing.cacheWriteNanoPerMillion ?? pricing.promptNanoPerMillion);
  const baseNano =
    tokenCost(uncachedPrompt, pricing.promptNanoPerMillion) +
    cacheReadNano +
    cacheWriteNano +
    tokenCost(BigInt(usage.completionTokens), pricing.completionNanoPerMillion) +
    (pricing.requestNano ?? 0n) +
    BigInt(usage.images ?? 0) * (pricing.imageNano ?? 0n);
  const feeNano = feeFor(baseNano, feeBps);
  const atPromptPrice = tokenCost(cached, pricing.promptNanoPerMillion) + tokenCost(cacheWrite, pricing.promptNanoPerMillion);
  return { baseNano, feeNano, totalNano: baseNano + feeNano, cacheDiscountNano: atPromptPrice - cacheReadNano - cacheWriteNano };
}

function maxZero(value: bigint): bigint {
  return value < 0n ? 0n : value;
}
