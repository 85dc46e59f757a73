/**
 * Solana Pay transfer requests (https://docs.solanapay.com/spec, chains.md §3.4):
 * `solana:<recipient>?amount=<decimal>&spl-token=<mint>&reference=<b58>&label=..&message=..`.
 * The reference is a fresh public key nobody holds; the wallet appends it as a read-only key
 * to the transfer instruction, so getSignaturesForAddress(reference) finds the payment.
 */
import { Keypair } from "@solana/web3.js";
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
  return Keypair.generate().publicKey.toBase58();
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
