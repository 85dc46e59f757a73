/**
 * Exact amounts for deposit intents. A sender that is not a linked wallet (an exchange withdrawal) is
 * recognised by amount alone, so each intent gets an amount that no other intent on that chain and asset
 * can be confused with: the requested value, rounded down, plus a random offset drawn so that it is far
 * from every amount still taken (a payment off by a few base units then matches nobody and is parked,
 * instead of landing on a neighbour's intent as consecutive offsets did).
 */
import { randomInt } from "node:crypto";

/** How many offset steps an intent amount may be raised by (the offset stays below this many steps). */
export const INTENT_OFFSET_SLOTS = 1000;

/** Minimum distance, in offset steps, between an intent's amount and any amount still taken. */
export const INTENT_MIN_GAP_STEPS = 10n;

/**
 * One offset step of an asset: a millionth of a whole unit (1 base unit of USDC, 10^12 wei, 1,000
 * lamports), so the offset never adds more than a thousandth of a unit to what is paid.
 */
export function intentOffsetStep(decimals: number): bigint {
  return decimals > 6 ? 10n ** BigInt(decimals - 6) : 1n;
}

/**
 * Picks `base + k × step` (0 < k ≤ slots), uniformly at random among the candidates at least
 * `minGapSteps` steps away from every amount in `taken`. Starting at 1 keeps the round amount free,
 * since people type round amounts by hand. Returns undefined when no candidate is far enough.
 */
export function uniqueIntentAmount(
  base: bigint,
  taken: ReadonlySet<bigint>,
  options: { step?: bigint; slots?: number; minGapSteps?: bigint; random?: (max: number) => number } = {},
): bigint | undefined {
  const step = options.step ?? 1n;
  const slots = options.slots ?? INTENT_OFFSET_SLOTS;
  const gap = (options.minGapSteps ?? INTENT_MIN_GAP_STEPS) * step;
  const random = options.random ?? randomInt;
  const near = [...taken].filter((amount) => amount > base - gap && amount < base + BigInt(slots) * step + gap);
  const free: bigint[] = [];
  for (let k = 1; k <= slots; k += 1) {
    const candidate = base + BigInt(k) * step;
    if (near.every((amount) => (amount > candidate ? amount - candidate : candidate - amount) >= gap)) free.push(candidate);
  }
  return free.length === 0 ? undefined : free[random(free.length)];
}

/**
 * Base units worth `amountNano` nano-USD for a token with `decimals`, at `price` (answer scaled by
 * 10^priceDecimals USD per whole token; absent = 1 USD). Rounded down.
 */
export function nanoToBaseUnits(amountNano: bigint, decimals: number, price?: { answer: bigint; decimals: number }): bigint {
  if (!price) return (amountNano * 10n ** BigInt(decimals)) / 10n ** 9n;
  return (amountNano * 10n ** BigInt(decimals + price.decimals)) / (price.answer * 10n ** 9n);
}
