/** viem public client factory for EVM chains: no caching, so every head read is fresh (chains.md §2.1). */
import { createPublicClient, http, type PublicClient } from "viem";

/** Options for one chain's read client. */
export interface EvmClientOptions {
  chainId: number;
  rpcUrl: string;
  retryCount?: number;
  timeoutMs?: number;
}

/** Builds a public client with cacheTime 0; creating it opens no connection. */
export function createEvmPublicClient(options: EvmClientOptions): PublicClient {
  return createPublicClient({
    chain: {
      id: options.chainId,
      name: `eip155:${options.chainId}`,
      nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      rpcUrls: { default: { http: [options.rpcUrl] } },
    },
    transport: http(options.rpcUrl, { retryCount: options.retryCount ?? 2, timeout: options.timeoutMs ?? 15_000 }),
    cacheTime: 0,
    pollingInterval: 1_000,
  });
}

/** The CAIP-2 chain id string used in observations and storage. */
export function evmChainKey(chainId: number): string {
  return `eip155:${chainId}`;
}
