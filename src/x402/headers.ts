/**
 * The HTTP header names of x402 and its sign-in-with-x extension, apart from the flow itself: the
 * inference routes read them on every request, and importing them from here leaves the x402 and
 * wallet libraries unloaded in a process that does not enable x402 (with Solana's, ≈30 MB of a
 * gateway process's resident memory, npm run bench:memory).
 */
export const PAYMENT_REQUIRED_HEADER = "PAYMENT-REQUIRED";
export const PAYMENT_SIGNATURE_HEADER = "PAYMENT-SIGNATURE";
export const PAYMENT_RESPONSE_HEADER = "PAYMENT-RESPONSE";
/** The sign-in-with-x extension's name, which is also its header (as @x402/extensions spells it). */
export const SIGN_IN_WITH_X = "sign-in-with-x";
