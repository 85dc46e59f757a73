/**
 * Resolves the configured Solana assets to what the scanner watches: SOL on the treasury
 * wallet, each SPL mint on the treasury's associated token account (an incoming SPL transfer
 * names only the token account, never the owner).
 */
import { getAssociatedTokenAddressSync } from "@solana/spl-token";
import { PublicKey } from "@solana/web3.js";
import type { SolanaAssetSpec } from "./observation.js";

/** An asset as configured: native SOL, or an SPL mint with its decimals. */
export type SolanaAssetConfig = { symbol: string; native: true } | { symbol: string; mint: string; decimals: number };

/** SOL has 9 decimals (lamports). */
export const SOL_DECIMALS = 9;

/** Adds the treasury token account to each SPL asset. */
export function resolveTreasuryAssets(treasury: string, assets: SolanaAssetConfig[]): SolanaAssetSpec[] {
  const owner = new PublicKey(treasury);
  return assets.map((asset) => {
    if ("native" in asset) return { symbol: asset.symbol, decimals: SOL_DECIMALS };
    const tokenAccount = getAssociatedTokenAddressSync(new PublicKey(asset.mint), owner, true).toBase58();
    return { symbol: asset.symbol, decimals: asset.decimals, mint: asset.mint, tokenAccount };
  });
}

/** Every address whose signature history can hold a deposit: the wallet and its token accounts. */
export function watchedAddresses(treasury: string, assets: SolanaAssetSpec[]): string[] {
  const out = new Set<string>([treasury]);
  for (const asset of assets) if (asset.tokenAccount !== undefined) out.add(asset.tokenAccount);
  return [...out];
}
