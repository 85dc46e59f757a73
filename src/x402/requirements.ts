/**
 * What an x402 client is asked to pay (x402 v2 `PaymentRequired`, https://github.com/x402-foundation/x402
 * specs/x402-specification-v2.md): one `exact` USDC offer per configured chain, for the request's
 * worst-case quote (the same quote its hold is placed for) plus the gas surcharge, rounded up to the
 * token's base unit, and never less than the operator's minimum payment.
 */
import { ceilDiv, type Nano } from "../domain/money.js";

/** One chain's USDC, as offered to payers. */
export interface OfferedAsset {
  /** CAIP-2 network ("eip155:8453"). */
  network: string;
  /** Token address (EVM) or mint (Solana). */
  asset: string;
  /** Symbol the deposit layer knows the asset by ("USDC"). */
  symbol: string;
  decimals: number;
  /** The treasury: payments go here, and the chain listener watches it. */
  payTo: string;
  /** The token's EIP-712 domain (`name`, `version`) a signature is made over; read from the token. */
  extra: () => Promise<Record<string, unknown>>;
}

/** x402 v2 `PaymentRequirements` (scheme `exact`). */
export interface PaymentRequirements {
  scheme: "exact";
  network: string;
  asset: string;
  amount: string;
  payTo: string;
  maxTimeoutSeconds: number;
  extra: Record<string, unknown>;
}

/** How much a payer is asked for: at least `minNano`; the quote plus the surcharge otherwise. */
export function askedNano(quoteNano: Nano, pricing: { minNano: Nano; surchargeNano: Nano }): Nano {
  const total = quoteNano + pricing.surchargeNano;
  return total > pricing.minNano ? total : pricing.minNano;
}

/** `nano` in base units of a token with `decimals` (≤ 9), rounded up: the payer never pays less than asked. */
export function nanoToBaseUnits(nano: Nano, decimals: number): bigint {
  if (decimals > 9) return nano * 10n ** BigInt(decimals - 9);
  return ceilDiv(nano, 10n ** BigInt(9 - decimals));
}

/** The requirements of every offered asset for `amountNano`. */
export async function buildRequirements(assets: readonly OfferedAsset[], amountNano: Nano, maxTimeoutSeconds: number): Promise<PaymentRequirements[]> {
  return Promise.all(
    assets.map(async (asset) => ({
      scheme: "exact" as const,
      network: asset.network,
      asset: asset.asset,
      amount: nanoToBaseUnits(amountNano, asset.decimals).toString(),
      payTo: asset.payTo,
      maxTimeoutSeconds,
      extra: await asset.extra(),
    })),
  );
}
