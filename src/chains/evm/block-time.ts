/** How often an EVM chain produces a block, from viem's chain definitions (`blockTime`). */
import * as knownChains from "viem/chains";

/** Ethereum mainnet's slot time: the slowest common EVM block time, so the safe guess for an unknown chain. */
export const DEFAULT_EVM_BLOCK_TIME_MS = 12_000;

const blockTimes = new Map<number, number>();
for (const chain of Object.values(knownChains)) {
  if (typeof chain === "object" && chain !== null && "id" in chain && typeof chain.blockTime === "number" && !blockTimes.has(chain.id)) {
    blockTimes.set(chain.id, chain.blockTime);
  }
}

/** The block time of `chainId` in ms as viem knows it, or {@link DEFAULT_EVM_BLOCK_TIME_MS}. */
export function evmBlockTimeMs(chainId: number): number {
  return blockTimes.get(chainId) ?? DEFAULT_EVM_BLOCK_TIME_MS;
}
