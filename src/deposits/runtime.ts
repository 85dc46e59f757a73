/**
 * Everything the configured chains provide, built once at start from config: one read client per
 * EVM chain (shared by listeners, price reads and smart-wallet sign-in) and each chain's deposit runtime.
 * Building it opens no connection.
 */
import type { PublicClient } from "viem";
import type { EvmChainConfig } from "../config/chains-schema.js";
import { createEvmPublicClient } from "../chains/evm/client.js";
import type { DepositChain } from "./deposit-chain.js";
import { createEvmDepositRuntime, type EvmDepositRuntime } from "./evm-chain.js";
import type { SolanaChainConfig } from "../config/chains-schema.js";
import type { SolanaDepositRuntime } from "./solana-chain.js";

/** The chain-side runtime of the process. */
export interface ChainRuntime {
  evm: EvmDepositRuntime[];
  /** The Solana chain, when `chains.solana` is configured (see {@link withSolana}). */
  solana?: SolanaDepositRuntime;
  /** What the deposit API describes; Solana adds its own entry. */
  depositChains: DepositChain[];
  /** Read client for a configured EVM chain id, if any. */
  evmClient(chainId: number): PublicClient | undefined;
}

/** Builds the runtime for `chains.evm`; `clientFactory` lets tests hand in their own clients. */
export function createChainRuntime(
  evmChains: readonly EvmChainConfig[],
  now: () => Date,
  clientFactory: (config: EvmChainConfig) => PublicClient = (c) => createEvmPublicClient({ chainId: c.chain_id, rpcUrl: c.rpc_url }),
): ChainRuntime {
  const clients = new Map<number, PublicClient>();
  for (const chain of evmChains) clients.set(chain.chain_id, clientFactory(chain));
  const clientFor = (chainId: number): PublicClient => {
    const client = clients.get(chainId);
    if (!client) throw new Error(`price feed on chain ${chainId}, which is not configured under chains.evm`);
    return client;
  };
  const evm = evmChains.map((config) => createEvmDepositRuntime(config, clientFor, now));
  return { evm, depositChains: evm.map((e) => e.description), evmClient: (chainId) => clients.get(chainId) };
}

/**
 * Adds the configured Solana chain to a runtime. Its SOL price feed is read on a chain from
 * `chains.evm`; a feed on an unconfigured chain fails here, at start.
 */
export async function withSolana(runtime: ChainRuntime, config: SolanaChainConfig | null, now: () => Date): Promise<ChainRuntime> {
  if (!config) return runtime;
  // imported only where Solana is configured: @solana/web3.js is ≈20 MB of resident memory
  const { createSolanaDepositRuntime } = await import("./solana-chain.js");
  const clientFor = (chainId: number): PublicClient => {
    const client = runtime.evmClient(chainId);
    if (!client) throw new Error(`Solana price feed on chain ${chainId}, which is not configured under chains.evm`);
    return client;
  };
  const solana = createSolanaDepositRuntime(config, clientFor, now);
  return { ...runtime, solana, depositChains: [...runtime.depositChains, solana.description] };
}
