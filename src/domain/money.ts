/**
 * Money rules (DESIGN.md §2). Every credit amount is a bigint count of nano-USD (1e-9 USD).
 * Decimal strings enter and leave through the functions here; no float ever carries money.
 */

/** A signed amount of nano-USD. */
export type Nano = bigint;

export const NANO_PER_USD = 1_000_000_000n;
export const TOKENS_PER_MILLION = 1_000_000n;
export const BPS_DENOMINATOR = 10_000n;

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/** Thrown when a decimal string cannot be represented exactly at the requested scale. */
export class MoneyParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MoneyParseError";
  }
}

/**
 * Parses a plain decimal string into an integer scaled by 10^scale, exactly.
 * Fails on exponents, stray characters, or more fractional digits than `scale`
 * (unless those extra digits are all zero).
 */
export function parseDecimalScaled(text: string, scale: number): bigint {
  const match = DECIMAL.exec(text.trim());
  if (!match) throw new MoneyParseError(`not a plain decimal number: "${text}"`);
  const [, sign, whole = "0", fraction = ""] = match;
  const significant = fraction.replace(/0+$/, "");
  if (significant.length > scale) {
    throw new MoneyParseError(`"${text}" has more than ${scale} decimal places`);
  }
  const scaled = BigInt(whole) * 10n ** BigInt(scale) + BigInt(significant.padEnd(scale, "0") || "0");
  return sign ? -scaled : scaled;
}

/** Like parseDecimalScaled but drops digits beyond `scale` (toward zero): deposits round down. */
export function parseDecimalScaledFloor(text: string, scale: number): bigint {
  const match = DECIMAL.exec(text.trim());
  if (!match) throw new MoneyParseError(`not a plain decimal number: "${text}"`);
  const [, sign, whole = "0", fraction = ""] = match;
  const kept = fraction.slice(0, scale).padEnd(scale, "0");
  const scaled = BigInt(whole) * 10n ** BigInt(scale) + BigInt(kept || "0");
  return sign ? -scaled : scaled;
}

/**
 * Formats an integer scaled by 10^scale as a minimal decimal string ("1.5", "0.000000001", "-2").
 * It cuts the integer's digits instead of dividing by 10^scale: every response formats four
 * amounts, and the division, the power and the regex allocated ≈1 KB per request
 * (heap sampling, npm run bench:profile at 500/s).
 */
export function formatDecimalScaled(value: bigint, scale: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString();
  const wholeLength = digits.length - scale;
  const whole = wholeLength > 0 ? digits.slice(0, wholeLength) : "0";
  const fractionDigits = wholeLength > 0 ? digits.slice(wholeLength) : "0".repeat(-wholeLength) + digits;
  let end = fractionDigits.length;
  while (end > 0 && fractionDigits.charCodeAt(end - 1) === 48 /* "0" */) end -= 1;
  const sign = negative ? "-" : "";
  return end === 0 ? sign + whole : `${sign}${whole}.${fractionDigits.slice(0, end)}`;
}

/** "12.5" USD → nano-USD, exactly; more than 9 decimals fails. */
export function usdToNano(usd: string | number): Nano {
  return parseDecimalScaled(typeof usd === "number" ? numberToPlainDecimal(usd) : usd, 9);
}

/** nano-USD → minimal USD decimal string ("0.0000042"). */
export function nanoToUsdString(nano: Nano): string {
  return formatDecimalScaled(nano, 9);
}

/** The largest nano-USD amount whose integer is an exact double (2^53 - 1). */
const MAX_EXACT_NANO = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * nano-USD → a JSON number for wire fields OpenRouter types as numbers (usage.cost, credits):
 * always the number its exact decimal string parses to (the double nearest the exact amount).
 */
export function nanoToUsdNumber(nano: Nano): number {
  // Within ±2^53 both the integer and 1e9 are exact doubles, and IEEE division rounds the exact
  // quotient correctly, as parsing its exact decimal string does: the same number, without the
  // string (a property test holds the two equal).
  return nano <= MAX_EXACT_NANO && nano >= -MAX_EXACT_NANO ? Number(nano) / 1e9 : Number(nanoToUsdString(nano));
}

/**
 * Catalog prices are written the OpenRouter way: USD per token as a decimal string.
 * Stored as nano-USD per million tokens, exactly (so up to 15 decimals are representable).
 */
export function usdPerTokenToNanoPerMillion(usdPerToken: string): Nano {
  return parseDecimalScaled(usdPerToken, 15);
}

/** nano-USD per million tokens → USD per token as a minimal decimal string. */
export function nanoPerMillionToUsdPerToken(nanoPerMillion: Nano): string {
  return formatDecimalScaled(nanoPerMillion, 15);
}

/** `max_price` fields are USD per million tokens; nano-USD per million tokens, exactly. */
export function usdPerMillionToNanoPerMillion(usdPerMillion: string | number): Nano {
  return usdToNano(usdPerMillion);
}

/** Integer division rounding toward +∞ for non-negative operands. */
export function ceilDiv(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) throw new RangeError("ceilDiv needs a positive denominator");
  if (numerator <= 0n) return -(-numerator / denominator);
  return (numerator + denominator - 1n) / denominator;
}

/** Cost of `tokens` at `nanoPerMillion`, rounded up to the next nano-USD. */
export function tokenCost(tokens: bigint, nanoPerMillion: Nano): Nano {
  return ceilDiv(tokens * nanoPerMillion, TOKENS_PER_MILLION);
}

/** A fee of `bps` basis points on `base`, rounded up. */
export function feeFor(base: Nano, bps: number): Nano {
  return ceilDiv(base * BigInt(bps), BPS_DENOMINATOR);
}

/**
 * Converts a JS number (only from parsed JSON input) into a plain decimal string without
 * exponent, so it can be parsed exactly. Numbers with more precision than the target
 * scale are rejected later by the parser.
 */
export function numberToPlainDecimal(value: number): string {
  if (!Number.isFinite(value)) throw new MoneyParseError(`not a finite number: ${value}`);
  const text = String(value);
  if (!/e/i.test(text)) return text;
  return value.toFixed(20).replace(/\.?0+$/, "");
}
