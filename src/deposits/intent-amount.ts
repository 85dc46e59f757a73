/**
 * Exact amounts for deposit intents. A sender that is not a linked wallet (an exchange withdrawal) is
 * recognised by amount alone, so each open intent on a chain and asset gets an amount no other open
 * intent there has: the requested value, rounded down, plus a small distinguishing offset in base units.
 */

/** How many distinct offsets are tried before giving up (the offset stays below this many base units). */
export const INTENT_OFFSET_SLOTS = 1000n;

/**
 * Picks `base + k` (0 < k ≤ slots) not in `taken`. Starting at 1 keeps the exact round amount free,
 * since people type round amounts by hand. Returns undefined when every slot is taken.
 */
export function uniqueIntentAmount(base: bigint, taken: ReadonlySet<bigint>, slots: bigint = INTENT_OFFSET_SLOTS): bigint | undefined {
  for (let k = 1n; k <= slots; k += 1n) {
    const candidate = base + k;
    if (!taken.has(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Base units worth `amountNano` nano-USD for a token with `decimals`, at `price` (answer scaled by
 * 10^priceDecimals USD per whole token; absent = 1 USD). Rounded down.
 */
export function nanoToBaseUnits(amountNano: bigint, decimals: number, price?: { answer: bigint; decimals: number }): bigint {
  if (!price) return (amountNano * 10n ** BigInt(decimals)) / 10n ** 9n;
  return (amountNano * 10n ** BigInt(decimals + price.decimals)) / (price.answer * 10n ** 9n);
}
