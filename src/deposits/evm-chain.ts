/**
 * Builds the runtime pieces of one configured EVM chain: the deposit description for the API, the scan
 * target for the listener, and the valuer used at credit time.
 */
import { getAddress, type Address, type PublicClient } from "viem";
import type { EvmChainConfig } from "../config/chains-schema.js";
import { evmChainKey } from "../chains/evm/client.js";
import { evmBlockTimeMs } from "../chains/evm/block-time.js";
import { readFeedPrice } from "../chains/evm/price.js";
import type { EvmWatch } from "../chains/evm/scanner.js";
import type { DepositAsset, DepositChain } from "./deposit-chain.js";
import { nativePaymentUri, tokenPaymentUri } from "./eip681.js";
import { createEvmValuer, type ValuedAsset } from "./evm-valuer.js";
import { evmReissueCooldownMs } from "./reissue-cooldown.js";
import type { AssetValuer } from "./types.js";

/** One EVM chain, ready for the deposit API and the listener. */
/** What payers are told when ETH sent by a contract would not be seen. */
export const TOP_LEVEL_ONLY_NOTICE = "send ETH from a regular account; USDC from any wallet";

export interface EvmDepositRuntime {
  description: DepositChain;
  watch: EvmWatch;
  valuer: AssetValuer;
  client: PublicClient;
  config: EvmChainConfig;
}

/** Default decimals when the config omits them: 18 for the native asset, 6 for tokens (USDC). */
function decimalsOf(asset: EvmChainConfig["assets"][number]): number {
  return asset.decimals ?? (asset.native ? 18 : 6);
}

/**
 * Creates the runtime from config. `clientFor(chainId)` supplies the read client of this chain and of
 * any chain a price feed lives on. Nothing connects until a method is called.
 */
export function createEvmDepositRuntime(config: EvmChainConfig, clientFor: (chainId: number) => PublicClient, now: () => Date): EvmDepositRuntime {
  const client = clientFor(config.chain_id);
  const chain = evmChainKey(config.chain_id);
  const treasury = getAddress(config.treasury);
  const valued: ValuedAsset[] = config.assets.map((asset) => {
    const feed = asset.price_feed;
    if (!feed) return { symbol: asset.symbol, decimals: decimalsOf(asset) };
    const feedConfig =
      typeof feed === "string"
        ? { client, address: getAddress(feed), maxAgeSeconds: asset.price_max_age_s }
        : { client: clientFor(feed.chain_id), address: getAddress(feed.address), maxAgeSeconds: feed.max_age_s };
    return { symbol: asset.symbol, decimals: decimalsOf(asset), feed: feedConfig };
  });
  const feeds = new Map(valued.map((v) => [v.symbol, v.feed]));
  const assets: DepositAsset[] = config.assets.map((asset) => ({
    symbol: asset.symbol,
    decimals: decimalsOf(asset),
    native: asset.native,
    tokenAddress: asset.address ? getAddress(asset.address) : undefined,
    priced: Boolean(asset.price_feed),
  }));
  const nativeAsset = config.assets.find((a) => a.native);
  const description: DepositChain = {
    chain,
    family: "evm",
    chainId: config.chain_id,
    name: config.name ?? chain,
    treasury,
    confirmations: config.confirmations,
    assets,
    intentReissueCooldownMs: evmReissueCooldownMs(config.confirmations, config.block_time_ms ?? evmBlockTimeMs(config.chain_id)),
    attribution: ["linked_wallet", "intent_exact_amount"],
    // Until the start-up check finds traces (evm-native-eth.ts), a plain treasury promises only what it surely sees.
    notice: nativeAsset && !config.treasury_receiver ? TOP_LEVEL_ONLY_NOTICE : undefined,
    async quote(asset) {
      const feed = feeds.get(asset.symbol);
      if (!feed) return { kind: "quote" };
      const price = await readFeedPrice(feed.client, feed.address, feed.maxAgeSeconds, now());
      return price.kind === "price" ? { kind: "quote", price } : { kind: "not_ready", reason: `${asset.symbol} price ${price.reason}` };
    },
    paymentUri(asset, amountBaseUnits) {
      return asset.native || !asset.tokenAddress
        ? nativePaymentUri(treasury, config.chain_id, amountBaseUnits)
        : tokenPaymentUri(asset.tokenAddress, config.chain_id, treasury, amountBaseUnits);
    },
  };
  const watch: EvmWatch = {
    chain,
    treasury,
    tokens: config.assets.filter((a) => a.address).map((a) => ({ symbol: a.symbol, address: getAddress(a.address as Address) })),
    nativeSymbol: nativeAsset?.symbol,
    // A plain treasury starts on top-level transfers; resolveNativeEth (evm-native-eth.ts) switches to traces when the node offers them.
    nativeVia: config.treasury_receiver ? { kind: "receiver" } : { kind: "top_level" },
  };
  return { description, watch, valuer: createEvmValuer(valued, now), client, config };
}
