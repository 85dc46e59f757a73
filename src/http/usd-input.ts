import { z } from "zod";
import { usdToNano, type Nano } from "../domain/money.js";

/**
 * A USD amount from JSON (number or decimal string) as exact nano-USD; more precision than a
 * nano-dollar, exponents or non-numbers are a validation error, never rounded silently.
 */
export const usdAmount = z.union([z.number(), z.string()]).transform((value, context): Nano => {
  try {
    return usdToNano(value);
  } catch (error) {
    context.addIssue({ code: "custom", message: (error as Error).message });
    return z.NEVER;
  }
});
