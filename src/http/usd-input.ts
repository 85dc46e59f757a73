import { z } from "zod";
import { NANO_PER_USD, usdToNano, type Nano } from "../domain/money.js";

/**
 * The largest USD amount a client may write ($1,000,000,000): far above any real key limit or
 * credit, and far below what a Postgres bigint of nano-USD holds (about $9.2 billion), so an
 * accepted amount can always be stored, compared and added to.
 */
export const MAX_USD_INPUT_NANO: Nano = 1_000_000_000n * NANO_PER_USD;

/**
 * A USD amount from JSON (number or decimal string) as exact nano-USD; more precision than a
 * nano-dollar, exponents, non-numbers or more than $1,000,000,000 either way are a validation
 * error, never rounded or clamped silently.
 */
export const usdAmount = z.union([z.number(), z.string().max(64)]).transform((value, context): Nano => {
  let nano: Nano;
  try {
    nano = usdToNano(value);
  } catch (error) {
    context.addIssue({ code: "custom", message: (error as Error).message });
    return z.NEVER;
  }
  if (nano > MAX_USD_INPUT_NANO || nano < -MAX_USD_INPUT_NANO) {
    context.addIssue({ code: "custom", message: "must be at most 1000000000 (USD) either way" });
    return z.NEVER;
  }
  return nano;
});
