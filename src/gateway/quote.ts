/**
 * The worst-case quote a request is held for before routing (reference §2): the prompt estimate
 * plus `max_tokens` (when absent: the endpoint's published output limit, or the bounded default
 * that is then sent upstream as `max_tokens` when the limit is unknown), at each candidate endpoint's
 * price, plus the fee; the reservation is the largest of these. When the balance cannot cover it, the
 * 402 says how many output tokens it can afford, so a client can lower `max_tokens` itself.
 */
import { computeCharge, type TokenUsage } from "../domain/charge.js";
import type { Nano } from "../domain/money.js";
import type { Endpoint } from "../catalog/types.js";
import type { PlannedAttempt } from "../routing/types.js";

/**
 * Prompt tokens the reservation assumes: the character estimate with 50% + 32 tokens of headroom for
 * tokenizers that split finer and for chat-template overhead, so the usage an upstream reports
 * almost never exceeds what was reserved.
 */
export function promptTokensForReservation(estimate: number): number {
  return Math.ceil(estimate * 1.5) + 32;
}

/** The largest possible charge of one attempt and of the whole plan. */
export interface Quote {
  reservedNano: Nano;
  /** The attempt whose worst case set the reservation. */
  priciest: PlannedAttempt;
  promptTokens: number;
  /** Output tokens assumed for the priciest attempt. */
  outputTokens: number;
  /** False when the client set no max_tokens (the endpoint's default output was held). */
  maxTokensGiven: boolean;
}

function worstUsage(attempt: PlannedAttempt, promptTokens: number, maxTokens: number | undefined, images: number): TokenUsage {
  return { promptTokens, completionTokens: maxTokens ?? defaultOutputTokens(attempt.endpoint, promptTokens), images };
}

/**
 * Output tokens held for a request without `max_tokens`: the endpoint's published output limit,
 * or, when that is unknown, its bounded default, further capped so that the held prompt plus the
 * output fit the context window (servers such as vLLM refuse a max_tokens that overflows it).
 * Where the limit is unknown this is also what the upstream receives as `max_tokens`.
 */
export function defaultOutputTokens(endpoint: Endpoint, promptTokensHeld: number): number {
  if (endpoint.outputLimitKnown) return endpoint.maxCompletionTokens;
  return Math.max(1, Math.min(endpoint.defaultOutputTokens, endpoint.contextLength - promptTokensHeld));
}

/**
 * What `usage` on `attempt` debits from credit: list price + fee on shared capacity, only the
 * BYOK fee on the account's own key (the provider bills that key for the rest).
 */
export function creditCostNano(attempt: PlannedAttempt, usage: TokenUsage, creditFeeBps: number): Nano {
  const charge = computeCharge(usage, attempt.endpoint.pricing, attempt.byok ? attempt.byok.feeBps : creditFeeBps);
  return attempt.byok ? charge.feeNano : charge.totalNano;
}

/** The reservation for a plan: max over attempts of the worst-case charge including the fee. */
export function quoteWorstCase(attempts: readonly PlannedAttempt[], promptEstimate: number, maxTokens: number | undefined, images: number, feeBps: number): Quote {
  const promptTokens = promptTokensForReservation(promptEstimate);
  let best: Quote | undefined;
  for (const attempt of attempts) {
    const usage = worstUsage(attempt, promptTokens, maxTokens, images);
    const totalNano = creditCostNano(attempt, usage, feeBps);
    if (!best || totalNano > best.reservedNano) best = { reservedNano: totalNano, priciest: attempt, promptTokens, outputTokens: usage.completionTokens, maxTokensGiven: maxTokens !== undefined };
  }
  if (!best) throw new RangeError("quoteWorstCase needs at least one attempt");
  return best;
}

/**
 * How many output tokens `availableNano` pays for at the quote's priciest attempt (on its terms:
 * credit or BYOK fee), after the prompt (0 when not even the prompt is affordable). Exact: a
 * binary search over computeCharge.
 */
export function affordableOutputTokens(quote: Quote, availableNano: Nano, images: number, feeBps: number): number {
  const cost = (output: number) => creditCostNano(quote.priciest, { promptTokens: quote.promptTokens, completionTokens: output, images }, feeBps);
  if (cost(0) > availableNano) return 0;
  let low = 0;
  let high = quote.outputTokens;
  while (low < high) {
    const mid = Math.floor((low + high + 1) / 2);
    if (cost(mid) <= availableNano) low = mid;
    else high = mid - 1;
  }
  return low;
}
