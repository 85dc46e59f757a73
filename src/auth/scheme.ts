/**
 * What a wallet family (EVM with SIWE, Solana with SIWS) provides to the shared sign-in flow.
 * The flow itself (nonces, accounts, linking) lives in sign-in.ts and knows no chain details.
 */

/** Outcome of checking a signed message. */
export type SchemeVerification = { kind: "verified"; address: string } | { kind: "rejected"; reason: string };

/**
 * One wallet family's sign-in standard. Everything that reads or writes a message is async, so a
 * scheme can load its code on first use (SIWE loads viem only then: see siwe-scheme.ts).
 */
export interface SignInScheme {
  family: "evm" | "solana";
  /** Normalizes an address from a request (EIP-55 checksum, base58…); throws a 400 AppError when malformed. */
  normalizeAddress(raw: string): Promise<string>;
  /** Resolves the requested chain (EVM chain id, Solana cluster) to the value the message names; throws a 400 when not accepted. */
  resolveChain(requested: unknown): string;
  /** The full message the wallet will sign. */
  buildMessage(input: { address: string; chainRef: string; nonce: string; issuedAt: Date; expiresAt: Date }): Promise<string>;
  /** The nonce a message claims, without trusting anything else in it. */
  nonceOf(message: string): Promise<string | undefined>;
  /** Checks the signed message completely (fields, times, signature) at `now`. */
  verify(message: string, signature: string, now: Date): Promise<SchemeVerification>;
}
