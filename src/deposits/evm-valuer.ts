/**
 * Values EVM deposits at credit time: stablecoins 1:1 with USD, other assets through their Chainlink
 * feed (answer > 0, within the feed's own max age). A feed that cannot be used yields "not ready",
 * so crediting waits instead of guessing.
 */
import type { Address, PublicClient } from "viem";
import { baseUnitsToNano, readFeedPrice } from "../chains/evm/price.js";
import type { AssetValuer } from "./types.js";

/** How one asset is valued. */
export interface ValuedAsset {
  symbol: string;
  decimals: number;
  /** Absent: a USD stablecoin, valued 1:1. */
  feed?: { client: PublicClient; address: Address; maxAgeSeconds: number };
}

/** Builds the valuer for one chain's assets; `now` is the clock used for feed staleness. */
export function createEvmValuer(assets: ValuedAsset[], now: () => Date): AssetValuer {
  const bySymbol = new Map(assets.map((a) => [a.symbol, a]));
  return async (symbol, amountBaseUnits) => {
    const asset = bySymbol.get(symbol);
    if (!asset) return { kind: "not_ready", reason: `asset ${symbol} is not configured` };
    if (!asset.feed) return { kind: "value", valueNano: baseUnitsToNano(amountBaseUnits, asset.decimals) };
    const price = await readFeedPrice(asset.feed.client, asset.feed.address, asset.feed.maxAgeSeconds, now());
    if (price.kind === "not_ready") return { kind: "not_ready", reason: `${symbol} price ${price.reason}: ${price.detail}` };
    return {
      kind: "value",
      valueNano: baseUnitsToNano(amountBaseUnits, asset.decimals, price),
      rate: { answer: price.answer, decimals: price.decimals, round: price.roundId.toString() },
    };
  };
}
