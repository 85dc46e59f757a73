/** viem public client factory for EVM chains: no caching, so every head read is fresh (chains.md §2.1). */
import { createPublicClient, createWalletClient, http, publicActions, type Chain, type Hex, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";

/** Options for one chain's read client. */
export interface EvmClientOptions {
  chainId: number;
  rpcUrl: string;
  retryCount?: number;
  timeoutMs?: number;
}

function chainOf(options: EvmClientOptions): Chain {
  return {
    id: options.chainId,
    name: `eip155:${options.chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [options.rpcUrl] } },
  };
}

/** Builds a public client with cacheTime 0; creating it opens no connection. */
export function createEvmPublicClient(options: EvmClientOptions): PublicClient {
  return createPublicClient({
    chain: chainOf(options),
    transport: http(options.rpcUrl, { retryCount: options.retryCount ?? 2, timeout: options.timeoutMs ?? 15_000 }),
    cacheTime: 0,
    pollingInterval: 1_000,
  });
}

/** The CAIP-2 chain id string used in observations and storage. */
export function evmChainKey(chainId: number): string {
  return `eip155:${chainId}`;
}

/**
 * A client that signs and sends transactions with an operator key (and reads, like the public client):
 * the x402 relayer that submits payers' signed transfers and pays their gas. Creating it opens no connection.
 */
export function createEvmRelayerClient(options: EvmClientOptions & { privateKey: Hex }) {
  return createWalletClient({
    account: privateKeyToAccount(options.privateKey),
    chain: chainOf(options),
    transport: http(options.rpcUrl, { retryCount: options.retryCount ?? 2, timeout: options.timeoutMs ?? 15_000 }),
    cacheTime: 0,
    pollingInterval: 1_000,
  }).extend(publicActions);
}

/** The relayer client type. */
export type EvmRelayerClient = ReturnType<typeof createEvmRelayerClient>;
