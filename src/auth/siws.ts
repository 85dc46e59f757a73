/**
 * Sign-In With Solana verification: ed25519 over the exact message text with node:crypto,
 * plus the checks wallets' own `verifySignIn` leaves out (chains.md §3.5): the message's
 * address must be the signing key, and issued-at / expiration / not-before are checked
 * against the server's clock. Nonce single-use is the caller's job (the nonce store).
 */
import { createPublicKey, verify as verifySignature } from "node:crypto";
import { decodeBase58 } from "../domain/base58.js";
import { buildSiwsMessage, parseSiwsMessage, type SiwsFields } from "./siws-message.js";

/** DER prefix that turns a raw 32-byte ed25519 key into an SPKI public key. */
const ED25519_SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/** How far issued-at may be from the server clock (Phantom uses ±10 minutes). */
export const SIWS_MAX_CLOCK_SKEW_MS = 10 * 60 * 1000;

/** What the server issued in the challenge and expects back. */
export interface SiwsExpectation {
  domain: string;
  nonce: string;
  uri?: string;
  chainId?: string;
  now: Date;
  maxClockSkewMs?: number;
}

/** Why a sign-in was refused; each maps to a 4xx at the route. */
export type SiwsFailure =
  | "malformed_message"
  | "malformed_signature"
  | "invalid_address"
  | "public_key_mismatch"
  | "domain_mismatch"
  | "uri_mismatch"
  | "chain_mismatch"
  | "nonce_mismatch"
  | "missing_issued_at"
  | "issued_at_out_of_range"
  | "expired"
  | "not_yet_valid"
  | "bad_signature";

export type SiwsResult = { ok: true; address: string; fields: SiwsFields } | { ok: false; reason: SiwsFailure };

/** Builds the challenge text for a wallet address with a server nonce and times. */
export function createSiwsChallenge(input: {
  domain: string;
  address: string;
  nonce: string;
  issuedAt: Date;
  expirationTime?: Date;
  uri?: string;
  statement?: string;
  chainId?: string;
}): string {
  return buildSiwsMessage({
    domain: input.domain,
    address: input.address,
    statement: input.statement,
    uri: input.uri,
    version: "1",
    chainId: input.chainId,
    nonce: input.nonce,
    issuedAt: input.issuedAt.toISOString(),
    expirationTime: input.expirationTime?.toISOString(),
  });
}

/** True when `text` is a base58 Solana public key (32 bytes). */
export function isSolanaAddress(text: string): boolean {
  return decodeAddress(text) !== null;
}

/**
 * Verifies a signed SIWS message. `signature` is base58 or base64 (64 bytes); `publicKey`,
 * when the wallet reports one, must equal the message's address.
 */
export function verifySiws(input: {
  message: string;
  signature: string;
  publicKey?: string;
  expected: SiwsExpectation;
}): SiwsResult {
  const fields = parseSiwsMessage(input.message);
  if (fields === null) return fail("malformed_message");
  const key = decodeAddress(fields.address);
  if (key === null) return fail("invalid_address");
  if (input.publicKey !== undefined && input.publicKey !== fields.address) return fail("public_key_mismatch");
  const signature = decodeSignature(input.signature);
  if (signature === null) return fail("malformed_signature");
  const { expected } = input;
  if (fields.domain !== expected.domain) return fail("domain_mismatch");
  if (expected.uri !== undefined && fields.uri !== expected.uri) return fail("uri_mismatch");
  if (expected.chainId !== undefined && fields.chainId !== undefined && fields.chainId !== expected.chainId) {
    return fail("chain_mismatch");
  }
  if (fields.nonce !== expected.nonce) return fail("nonce_mismatch");
  const timeFailure = checkTimes(fields, expected);
  if (timeFailure !== null) return fail(timeFailure);
  const spki = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, key]), format: "der", type: "spki" });
  if (!verifySignature(null, Buffer.from(input.message, "utf8"), spki, signature)) return fail("bad_signature");
  return { ok: true, address: fields.address, fields };
}

function checkTimes(fields: SiwsFields, expected: SiwsExpectation): SiwsFailure | null {
  const now = expected.now.getTime();
  const skew = expected.maxClockSkewMs ?? SIWS_MAX_CLOCK_SKEW_MS;
  if (fields.issuedAt === undefined) return "missing_issued_at";
  const issuedAt = parseTime(fields.issuedAt);
  if (issuedAt === null || Math.abs(now - issuedAt) > skew) return "issued_at_out_of_range";
  if (fields.expirationTime !== undefined) {
    const expiresAt = parseTime(fields.expirationTime);
    if (expiresAt === null || expiresAt <= now) return "expired";
  }
  if (fields.notBefore !== undefined) {
    const notBefore = parseTime(fields.notBefore);
    if (notBefore === null || notBefore > now) return "not_yet_valid";
  }
  return null;
}

function parseTime(text: string): number | null {
  // ISO-8601 with a date and a time; Date.parse alone accepts too much.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}

function decodeAddress(text: string): Buffer | null {
  if (!/^[1-9A-HJ-NP-Za-km-z]{32,44}$/.test(text)) return null;
  // base58 gives each byte string one text, so a 32-byte decode is a canonical address
  const key = decodeBase58(text);
  return key !== null && key.length === 32 ? key : null;
}

function decodeSignature(text: string): Buffer | null {
  if (/^[A-Za-z0-9+/]{86}==$/.test(text)) return Buffer.from(text, "base64");
  const bytes = decodeBase58(text);
  return bytes !== null && bytes.length === 64 ? bytes : null;
}

function fail(reason: SiwsFailure): SiwsResult {
  return { ok: false, reason };
}
