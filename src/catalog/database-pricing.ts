/**
 * The price database's prices (JS numbers of USD per million tokens, possibly tiered by prompt
 * length, possibly dated) → OpenRouter's pricing shape (exact USD-per-token strings). Each number
 * goes through the money parser, so a price that is not an exact decimal of at most 9 places of
 * USD per million fails loudly instead of being rounded.
 */
import { nanoPerMillionToUsdPerToken, numberToPlainDecimal, usdPerMillionToNanoPerMillion } from "../domain/money.js";
import type { ModelInfo } from "./price-database.js";
import type { PriceTierInput, PricingInput } from "./types.js";

type ModelPrice = Exclude<ModelInfo["prices"], unknown[]>;
type PriceValue = ModelPrice[string];

/** The price key of each OpenRouter token class. */
const TOKEN_CLASSES = [
  ["prompt", "input_mtok"],
  ["completion", "output_mtok"],
  ["input_cache_read", "cache_read_mtok"],
  ["input_cache_write", "cache_write_mtok"],
] as const;

/** USD per million (a number from the database) → USD per token, exactly. */
export function perToken(usdPerMillion: number): string {
  return nanoPerMillionToUsdPerToken(usdPerMillionToNanoPerMillion(numberToPlainDecimal(usdPerMillion)));
}

/**
 * The prices in force at `now`: the latest dated price already started (else the undated one,
 * else, when every price starts in the future, the earliest listed), unless a time-of-day price
 * (a peak window) is higher: the highest input price of these is billed at any hour, so a request
 * is never billed below what the provider may charge for it.
 */
export function pricesAt(model: ModelInfo, now: Date): ModelPrice {
  if (!Array.isArray(model.prices)) return model.prices;
  const started = model.prices.filter((entry) => entry.constraint?.type === "start_date" && now >= new Date(entry.constraint.start_date));
  const undated = model.prices.filter((entry) => entry.constraint === undefined);
  const base = started.at(-1) ?? undated.at(-1) ?? model.prices[0]!;
  const windows = model.prices.filter((entry) => entry.constraint?.type === "time_of_date");
  const inputOf = (prices: ModelPrice) => baseOf(prices.input_mtok) ?? 0;
  return windows.reduce((highest, entry) => (inputOf(entry.prices) > inputOf(highest) ? entry.prices : highest), base.prices);
}

function baseOf(value: PriceValue): number | undefined {
  return typeof value === "number" ? value : value?.base;
}

/** OpenRouter-shaped pricing with tiers, or undefined when the model has no token prices (image, audio, embeddings). */
export function pricingFromDatabase(prices: ModelPrice): PricingInput | undefined {
  const prompt = baseOf(prices.input_mtok);
  const completion = baseOf(prices.output_mtok);
  if (prompt === undefined || completion === undefined) return undefined;
  const pricing: PricingInput = { prompt: perToken(prompt), completion: perToken(completion) };
  const tiers = new Map<number, PriceTierInput>();
  for (const [field, key] of TOKEN_CLASSES) {
    const value = prices[key];
    const base = baseOf(value);
    if (base === undefined) continue;
    if (field !== "prompt" && field !== "completion") pricing[field] = perToken(base);
    if (typeof value === "object") {
      for (const tier of value.tiers) {
        const entry = tiers.get(tier.start) ?? { above_prompt_tokens: tier.start };
        entry[field] = perToken(tier.price);
        tiers.set(tier.start, entry);
      }
    }
  }
  if (tiers.size > 0) pricing.tiers = [...tiers.values()].sort((a, b) => a.above_prompt_tokens - b.above_prompt_tokens);
  return pricing;
}
