/**
 * Builds the runtime pieces of the configured Solana chain: the deposit description for the API
 * (Solana Pay transfer requests with a per-intent reference), the scanner settings for the
 * listener, and the valuer used at credit time (USDC 1:1, SOL through a Chainlink feed read on an
 * EVM chain, with that feed's staleness rule).
 */
import { getAddress, type PublicClient } from "viem";
import type { SolanaChainConfig } from "../config/chains-schema.js";
import { readFeedPrice } from "../chains/evm/price.js";
import type { Connection } from "@solana/web3.js";
import { createSolanaConnection } from "../chains/solana/connection.js";
import { resolveTreasuryAssets, SOL_DECIMALS, type SolanaAssetConfig } from "../chains/solana/assets.js";
import { encodeTransferRequest, referenceForIntent } from "../chains/solana/pay-url.js";
import type { SolanaScanConfig } from "../chains/solana/scanner.js";
import type { DepositAsset, DepositChain } from "./deposit-chain.js";
import { createEvmValuer, type ValuedAsset } from "./evm-valuer.js";
import { solanaReissueCooldownMs } from "./reissue-cooldown.js";
import type { AssetValuer } from "./types.js";

/** The CAIP-2 style key deposits on Solana are stored under. */
export const SOLANA_CHAIN_KEY = "solana:mainnet";

/** The Solana chain, ready for the deposit API and the listener. */
export interface SolanaDepositRuntime {
  description: DepositChain;
  scan: SolanaScanConfig;
  valuer: AssetValuer;
  config: SolanaChainConfig;
}

/**
 * Creates the runtime from config. `clientFor(chainId)` supplies the EVM read client a price feed
 * lives on. Nothing connects until a method is called.
 */
export function createSolanaDepositRuntime(
  config: SolanaChainConfig,
  clientFor: (chainId: number) => PublicClient,
  now: () => Date,
  chain: string = SOLANA_CHAIN_KEY,
): SolanaDepositRuntime {
  const decimalsOf = (asset: SolanaChainConfig["assets"][number]) => asset.decimals ?? (asset.native ? SOL_DECIMALS : 6);
  const assetConfigs: SolanaAssetConfig[] = config.assets.map((asset) =>
    asset.native ? { symbol: asset.symbol, native: true } : { symbol: asset.symbol, mint: asset.mint!, decimals: decimalsOf(asset) },
  );
  const valued: ValuedAsset[] = config.assets.map((asset) => {
    const feed = asset.price_feed;
    if (!feed) return { symbol: asset.symbol, decimals: decimalsOf(asset) };
    return {
      symbol: asset.symbol,
      decimals: decimalsOf(asset),
      feed: { client: clientFor(feed.chain_id), address: getAddress(feed.address), maxAgeSeconds: feed.max_age_s },
    };
  });
  const feeds = new Map(valued.map((v) => [v.symbol, v.feed]));
  const assets: DepositAsset[] = config.assets.map((asset) => ({
    symbol: asset.symbol,
    decimals: decimalsOf(asset),
    native: asset.native,
    tokenAddress: asset.mint,
    priced: Boolean(asset.price_feed),
  }));
  let connection: Connection | undefined;
  const description: DepositChain = {
    chain,
    family: "solana",
    name: "Solana",
    treasury: config.treasury,
    confirmations: "finalized",
    assets,
    intentReissueCooldownMs: solanaReissueCooldownMs(config.commitment),
    attribution: ["linked_wallet", "solana_pay_reference", "intent_exact_amount"],
    async quote(asset) {
      const feed = feeds.get(asset.symbol);
      if (!feed) return { kind: "quote" };
      const price = await readFeedPrice(feed.client, feed.address, feed.maxAgeSeconds, now());
      return price.kind === "price" ? { kind: "quote", price } : { kind: "not_ready", reason: `${asset.symbol} price ${price.reason}` };
    },
    async recentBlockhash() {
      connection ??= createSolanaConnection({ rpcUrl: config.rpc_url, commitment: config.commitment });
      return connection.getLatestBlockhash("confirmed");
    },
    paymentUri(asset, amountBaseUnits, intentId) {
      return encodeTransferRequest({
        recipient: config.treasury,
        amountBaseUnits,
        decimals: asset.decimals,
        splToken: asset.native ? undefined : asset.tokenAddress,
        reference: referenceForIntent(intentId),
        label: "farebox",
        message: "Prepaid credits",
      });
    },
  };
  const scan: SolanaScanConfig = {
    treasury: config.treasury,
    assets: resolveTreasuryAssets(config.treasury, assetConfigs),
    commitment: config.commitment,
  };
  return { description, scan, valuer: createEvmValuer(valued, now), config };
}
