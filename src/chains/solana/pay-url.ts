/**
 * Solana Pay transfer requests (https://docs.solanapay.com/spec, chains.md §3.4):
 * `solana:<recipient>?amount=<decimal>&spl-token=<mint>&reference=<b58>&label=..&message=..`.
 * The reference is a fresh public key nobody holds; the wallet appends it as a read-only key
 * to the transfer instruction, so getSignaturesForAddress(reference) finds the payment.
 */
import { createHash, generateKeyPairSync } from "node:crypto";
import { encodeBase58 } from "../../domain/base58.js";
import { formatDecimalScaled } from "../../domain/money.js";

export interface TransferRequest {
  /** Treasury wallet (never a token account; wallets derive the ATA from `splToken`). */
  recipient: string;
  /** Amount in base units (lamports or token base units). */
  amountBaseUnits?: bigint;
  decimals: number;
  /** SPL mint; omitted for SOL. */
  splToken?: string;
  reference: string;
  label?: string;
  message?: string;
}

/** A new reference key for one deposit intent. */
export function newReferenceKey(): string {
  // an ed25519 public key whose private key is dropped: the raw 32 bytes end its DER encoding
  const der = generateKeyPairSync("ed25519").publicKey.export({ format: "der", type: "spki" });
  return encodeBase58(der.subarray(der.length - 32));
}

/** Encodes a transfer request URL; the amount is in user units with no exponent. */
export function encodeTransferRequest(request: TransferRequest): string {
  const params: string[] = [];
  if (request.amountBaseUnits !== undefined) {
    params.push(`amount=${formatDecimalScaled(request.amountBaseUnits, request.decimals)}`);
  }
  if (request.splToken !== undefined) params.push(`spl-token=${request.splToken}`);
  params.push(`reference=${request.reference}`);
  if (request.label !== undefined) params.push(`label=${encodeURIComponent(request.label)}`);
  if (request.message !== undefined) params.push(`message=${encodeURIComponent(request.message)}`);
  return `solana:${request.recipient}?${params.join("&")}`;
}

/**
 * The Solana Pay reference of a deposit intent: 32 bytes derived from the intent id, so it is
 * as fresh and unguessable as the id itself and needs no extra column. Any 32 bytes are a
 * valid read-only account key; nobody holds a private key for it.
 */
export function referenceForIntent(intentId: string): string {
  const digest = createHash("sha256").update(`farebox/solana-pay/reference/v1:${intentId}`).digest();
  return encodeBase58(digest);
}
