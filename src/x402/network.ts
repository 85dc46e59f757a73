/**
 * One chain on which x402 payments are accepted, as the payment flow sees it: what is offered there,
 * how a payload names its payer and nonce, whether the relayer can pay gas, and which deposit a settled
 * transaction made. Verification and settlement go through the facilitator (facilitator.ts).
 */
import type { DepositObservation } from "../chains/observation.js";
import type { AssetValuer } from "../deposits/types.js";
import type { OfferedAsset } from "./requirements.js";

/** The authorization a payload carries: who pays, and the nonce that makes it single-use. */
export interface PayloadAuthorization {
  payer: string;
  nonce: string;
  /** The amount signed, in base units. */
  value: bigint;
}

export interface PaymentNetwork {
  offered: OfferedAsset;
  /** "evm" or "solana": the wallet family the payer's account is linked under. */
  family: "evm" | "solana";
  /** The spec's reason codes of this scheme for too small an amount and a payment used before. */
  reasons: { amount: string; replayed: string };
  /** The payload's authorization, or undefined when its `payload` is not this scheme's shape. */
  authorization(payload: unknown): PayloadAuthorization | undefined;
  /** Throws the 503 a client sees when the relayer cannot pay for settlement now. */
  assertCanSettle(): Promise<void>;
  /** The deposit the settled transaction `txId` made from `payer` to the treasury, as the chain listener reads it. */
  settledDeposit(txId: string, payer: string): Promise<DepositObservation | undefined>;
  valuer: AssetValuer;
}
