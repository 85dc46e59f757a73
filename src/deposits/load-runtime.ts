/**
 * The process's chain runtime, built from config. The chain code (viem; @solana/web3.js too when
 * Solana is configured) is imported only when a chain is configured, so a gateway without deposits
 * does not keep viem resident in every process.
 */
import type { EvmChainConfig, SolanaChainConfig } from "../config/chains-schema.js";
import type { ChainRuntime } from "./runtime.js";

/** The runtime of a process with no chain configured: no deposits, no read clients. */
const NO_CHAINS: ChainRuntime = { evm: [], depositChains: [], evmClient: () => undefined };

/** Builds the runtime for `chains.evm` and `chains.solana`, importing the chain code only when one is configured. */
export async function loadChainRuntime(chains: { evm: readonly EvmChainConfig[]; solana: SolanaChainConfig | null }, now: () => Date): Promise<ChainRuntime> {
  if (chains.evm.length === 0 && !chains.solana) return NO_CHAINS;
  const { createChainRuntime, withSolana } = await import("./runtime.js");
  return withSolana(createChainRuntime(chains.evm, now), chains.solana, now);
}
