/**
 * Resolves the configured Solana assets to what the scanner watches: SOL on the treasury
 * wallet, each SPL mint on the treasury's associated token account (an incoming SPL transfer
 * names only the token account, never the owner).
 */
import { PublicKey } from "@solana/web3.js";
import type { SolanaAssetSpec } from "./observation.js";

/** An asset as configured: native SOL, or an SPL mint with its decimals. */
export type SolanaAssetConfig = { symbol: string; native: true } | { symbol: string; mint: string; decimals: number };

/** SOL has 9 decimals (lamports). */
export const SOL_DECIMALS = 9;

const TOKEN_PROGRAM_ID = new PublicKey("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");
const ASSOCIATED_TOKEN_PROGRAM_ID = new PublicKey("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL");

/**
 * The associated token account of `owner` for `mint` (SPL Token program), derived as the
 * Associated Token Account program defines it: the PDA of [owner, token program, mint].
 * Derived here with web3.js rather than imported from @solana/spl-token, whose runtime pulls
 * in the native `bigint-buffer` addon (a load-time warning without a compiler, and an open
 * advisory) for this one derivation; test/chains/solana/assets.test.ts checks it against
 * spl-token's own function.
 */
export function associatedTokenAddress(mint: PublicKey, owner: PublicKey): PublicKey {
  const seeds = [owner.toBuffer(), TOKEN_PROGRAM_ID.toBuffer(), mint.toBuffer()];
  return PublicKey.findProgramAddressSync(seeds, ASSOCIATED_TOKEN_PROGRAM_ID)[0];
}

/** Adds the treasury token account to each SPL asset. */
export function resolveTreasuryAssets(treasury: string, assets: SolanaAssetConfig[]): SolanaAssetSpec[] {
  const owner = new PublicKey(treasury);
  return assets.map((asset) => {
    if ("native" in asset) return { symbol: asset.symbol, decimals: SOL_DECIMALS };
    const tokenAccount = associatedTokenAddress(new PublicKey(asset.mint), owner).toBase58();
    return { symbol: asset.symbol, decimals: asset.decimals, mint: asset.mint, tokenAccount };
  });
}

/** Every address whose signature history can hold a deposit: the wallet and its token accounts. */
export function watchedAddresses(treasury: string, assets: SolanaAssetSpec[]): string[] {
  const out = new Set<string>([treasury]);
  for (const asset of assets) if (asset.tokenAccount !== undefined) out.add(asset.tokenAccount);
  return [...out];
}
