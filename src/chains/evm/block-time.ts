/** How often an EVM chain produces a block, from viem's chain definitions (`blockTime`). */
import { createRequire } from "node:module";

/** Ethereum mainnet's slot time: the slowest common EVM block time, so the safe guess for an unknown chain. */
export const DEFAULT_EVM_BLOCK_TIME_MS = 12_000;

let blockTimes: Map<number, number> | undefined;

/**
 * viem's table of every chain takes most of a second to load and ≈8 MB: read on first use (a
 * chain is configured), never by a process that watches no EVM chain.
 */
function knownBlockTimes(): Map<number, number> {
  if (blockTimes) return blockTimes;
  blockTimes = new Map();
  const knownChains = createRequire(import.meta.url)("viem/chains") as Record<string, unknown>;
  for (const chain of Object.values(knownChains)) {
    if (typeof chain === "object" && chain !== null && "id" in chain && "blockTime" in chain) {
      const { id, blockTime } = chain as { id: number; blockTime: unknown };
      if (typeof blockTime === "number" && !blockTimes.has(id)) blockTimes.set(id, blockTime);
    }
  }
  return blockTimes;
}

/** The block time of `chainId` in ms as viem knows it, or {@link DEFAULT_EVM_BLOCK_TIME_MS}. */
export function evmBlockTimeMs(chainId: number): number {
  return knownBlockTimes().get(chainId) ?? DEFAULT_EVM_BLOCK_TIME_MS;
}
