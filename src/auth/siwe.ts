/**
 * Sign-In with Ethereum (EIP-4361, https://eips.ethereum.org/EIPS/eip-4361). The server writes the whole
 * message so the wallet only signs it; verification checks every field viem/siwe leaves to the caller
 * (chain id, uri, issued-at age) as well as domain, nonce, times and the signature. Smart-contract wallets
 * (ERC-1271 / ERC-6492) verify through viem when a public client for the chain is given.
 */
import { getAddress, isAddress, verifyMessage, type Address, type Hex, type PublicClient } from "viem";
import { createSiweMessage, parseSiweMessage, validateSiweMessage } from "viem/siwe";
import { badRequest } from "../domain/errors.js";

/** Where the sign-in happens; fixed by the operator's config, never taken from the request. */
export interface SiweSite {
  domain: string;
  uri: string;
  statement: string;
}

/** Inputs for one challenge. */
export interface SiweChallengeInput {
  site: SiweSite;
  address: Address;
  chainId: number;
  nonce: string;
  issuedAt: Date;
  expiresAt: Date;
}

/**
 * An address from a request, EIP-55 checksummed; throws a 400 AppError when it is not a 20-byte hex
 * address or, written in mixed case, carries an invalid checksum.
 */
export function normalizeEvmAddress(raw: string): Address {
  if (typeof raw !== "string" || !isAddress(raw, { strict: false })) {
    throw badRequest("address must be a 0x-prefixed 20-byte hex EVM address", { field: "address" });
  }
  // A mixed-case address must carry a valid EIP-55 checksum.
  if (raw !== raw.toLowerCase() && raw.slice(2) !== raw.slice(2).toUpperCase() && !isAddress(raw, { strict: true })) {
    throw badRequest("address has an invalid EIP-55 checksum", { field: "address" });
  }
  return getAddress(raw);
}

/** The message a wallet signs with personal_sign. */
export function buildSiweMessage(input: SiweChallengeInput): string {
  return createSiweMessage({
    domain: input.site.domain,
    uri: input.site.uri,
    statement: input.site.statement,
    address: getAddress(input.address),
    chainId: input.chainId,
    nonce: input.nonce,
    version: "1",
    issuedAt: input.issuedAt,
    expirationTime: input.expiresAt,
  });
}

/** A verified sign-in. */
export interface SiweVerified {
  kind: "verified";
  address: Address;
  chainId: number;
  nonce: string;
}

/** Why a sign-in was refused, in words a client can act on. */
export interface SiweRejected {
  kind: "rejected";
  reason: string;
}

/** What the verifier checks the message against. */
export interface SiweExpectations {
  site: SiweSite;
  allowedChainIds: readonly number[];
  now: Date;
  /** Longest accepted time between issued-at and now. */
  maxAgeMs: number;
  /** Per-chain read clients for ERC-1271/6492; absent → EOA signatures only. */
  clientFor?: (chainId: number) => PublicClient | undefined;
}

/** Reads the nonce from a SIWE message without trusting anything else in it. */
export function siweNonce(message: string): string | undefined {
  try {
    return parseSiweMessage(message).nonce;
  } catch {
    return undefined;
  }
}

const CLOCK_SKEW_MS = 60_000;

/** Full verification of a signed SIWE message; never throws for bad input. */
export async function verifySiwe(message: string, signature: string, expect: SiweExpectations): Promise<SiweVerified | SiweRejected> {
  const reject = (reason: string): SiweRejected => ({ kind: "rejected", reason });
  if (!/^0x[0-9a-fA-F]+$/.test(signature)) return reject("signature must be 0x-prefixed hex");
  let parsed: ReturnType<typeof parseSiweMessage>;
  try {
    parsed = parseSiweMessage(message);
  } catch {
    return reject("message is not an EIP-4361 sign-in message");
  }
  if (!parsed.address || !isAddress(parsed.address, { strict: false })) return reject("message has no valid address");
  if (parsed.domain !== expect.site.domain) return reject(`message is for domain "${parsed.domain ?? ""}", expected "${expect.site.domain}"`);
  if (parsed.uri !== expect.site.uri) return reject(`message uri "${parsed.uri ?? ""}" does not match "${expect.site.uri}"`);
  if (parsed.version !== "1") return reject("message version must be 1");
  if (parsed.chainId === undefined || !expect.allowedChainIds.includes(parsed.chainId)) {
    return reject(`chain id ${parsed.chainId ?? "(none)"} is not accepted for sign-in`);
  }
  if (!parsed.nonce) return reject("message has no nonce");
  if (!parsed.issuedAt) return reject("message has no issued-at time");
  const now = expect.now.getTime();
  if (parsed.issuedAt.getTime() > now + CLOCK_SKEW_MS) return reject("message is issued in the future");
  if (now - parsed.issuedAt.getTime() > expect.maxAgeMs) return reject("message is too old; request a new challenge");
  if (!parsed.expirationTime) return reject("message has no expiration time");
  if (parsed.expirationTime.getTime() <= now) return reject("message has expired; request a new challenge");
  if (parsed.notBefore && parsed.notBefore.getTime() > now) return reject("message is not valid yet");
  const valid = validateSiweMessage({ message: parsed, domain: expect.site.domain, nonce: parsed.nonce, time: expect.now });
  if (!valid) return reject("message failed EIP-4361 validation");

  const address = getAddress(parsed.address);
  const client = expect.clientFor?.(parsed.chainId);
  let signatureOk = false;
  try {
    signatureOk = client
      ? await client.verifyMessage({ address, message, signature: signature as Hex })
      : await verifyMessage({ address, message, signature: signature as Hex });
  } catch {
    signatureOk = false;
  }
  if (!signatureOk) return reject("signature does not match the message's address");
  return { kind: "verified", address, chainId: parsed.chainId, nonce: parsed.nonce };
}
