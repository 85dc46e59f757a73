/**
 * One x402 scenario's chain: anvil with the EIP-3009 mock USDC, Multicall3 at its canonical address
 * (x402's facilitator reads balances through it, as on public chains), payer wallets 1–5 funded with
 * 1,000 USDC each, a plain treasury, and the operator's relayer (anvil account 9). Also the config
 * sections a farebox over it needs (chains, x402, a fake upstream's model) and x402 clients for a wallet.
 */
import { getAddress, toHex, type Address, type Hash, type Hex, type PrivateKeyAccount } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { x402Client } from "@x402/fetch";
import { registerExactEvmScheme } from "@x402/evm/exact/client";
import { toClientEvmSigner } from "@x402/evm";
import { ANVIL_MNEMONIC, artifact, startAnvil, type Anvil } from "./anvil.js";
import type { EvmChainConfig } from "../../src/config/chains-schema.js";
import type { Config } from "../../src/config/schema.js";
import { evmChainKey } from "../../src/chains/evm/client.js";

/** Where public chains have Multicall3 (github.com/mds1/multicall). */
export const MULTICALL3_ADDRESS: Address = "0xcA11bde05977b3631167028862bE2a173976CA11";

const usdcAbi = artifact("MockUSDC").abi;

export interface X402Chain {
  anvil: Anvil;
  usdc: Address;
  treasury: Address;
  network: string;
  relayerKey: Hex;
  relayer: Address;
  evm: EvmChainConfig;
  /** The `chains` and `x402` config sections for this chain. */
  config(x402?: Partial<Config["x402"]>): Pick<Config, "chains" | "x402">;
  /** A payer wallet's private-key account (anvil's dev accounts are HD accounts; x402 clients want a local signer). */
  payer(index: number): PrivateKeyAccount;
  /** An x402 client paying from wallet `index`. */
  client(index: number): x402Client;
  usdcBalance(address: Address): Promise<bigint>;
  stop(): Promise<void>;
}

/**
 * Config of a farebox over `chain` serving `local/chat` ($1 / M prompt tokens, $2 / M completion
 * tokens) from the OpenAI-wire upstream at `upstreamUrl`, x402 on with `x402` on top.
 */
export function x402AppConfig(chain: X402Chain, upstreamUrl: string, x402: Partial<Config["x402"]> = {}): Partial<Config> {
  return {
    ...chain.config(x402),
    catalog: { include_default: false },
    providers: { local: { protocol: "openai", base_url: `${upstreamUrl}/v1`, api_key: "upstream-key", headers: {} } },
    models: [
      {
        id: "local/chat",
        context_length: 1_000_000,
        max_completion_tokens: 200_000,
        endpoints: [{ provider: "local", model: "chat-1", pricing: { prompt: "0.000001", completion: "0.000002" } }],
      },
    ],
  };
}

/** The private key of anvil dev account `index`. */
export function anvilPrivateKey(index: number): Hex {
  const key = mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: index }).getHdKey().privateKey;
  if (!key) throw new Error("no private key");
  return toHex(key);
}

/** Starts anvil with USDC (EIP-3009), Multicall3 and funded payers. */
export async function startX402Chain(): Promise<X402Chain> {
  const { privateKeyToAccount } = await import("viem/accounts");
  const anvil = await startAnvil();
  const usdc = await anvil.deploy("MockUSDC");
  await anvil.testClient.setCode({ address: MULTICALL3_ADDRESS, bytecode: artifact("Multicall3").deployedBytecode });
  const wait = (hash: Hash) => anvil.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
  for (const i of [1, 2, 3, 4, 5]) {
    await wait(await anvil.wallet(0).writeContract({ address: usdc, abi: usdcAbi, functionName: "mint", args: [anvil.wallet(i).account.address, 1_000_000_000n] }));
  }
  const treasury = getAddress("0x000000000000000000000000000000000000fEEd");
  const relayerKey = anvilPrivateKey(9);
  const evm: EvmChainConfig = {
    chain_id: anvil.chainId,
    name: "anvil",
    rpc_url: anvil.url,
    treasury,
    treasury_receiver: false,
    internal_eth: "off",
    confirmations: 2,
    poll_interval_ms: 60_000,
    max_block_range: 100,
    assets: [{ symbol: "USDC", address: usdc, native: false, decimals: 6, price_max_age_s: 3600 }],
  };
  const network = evmChainKey(anvil.chainId);
  const payer = (index: number) => privateKeyToAccount(anvilPrivateKey(index));
  return {
    anvil,
    usdc,
    treasury,
    network,
    relayerKey,
    relayer: privateKeyToAccount(relayerKey).address,
    evm,
    config: (x402 = {}) => ({
      chains: { evm: [evm], solana: null },
      x402: { enabled: true, min_payment_usd: "0.10", gas_surcharge_usd: "0", relayer_private_key: relayerKey, facilitator_url: null, max_timeout_s: 300, chains: [network], ...x402 },
    }),
    payer,
    client: (index) => {
      // the test token is not one of x402's default assets: allow it as a real deployment's USDC is allowed
      const client = x402Client.fromConfig({ schemes: [], spendControls: { allowedAssets: [{ network: network as `${string}:${string}`, asset: usdc }] } });
      registerExactEvmScheme(client, { signer: toClientEvmSigner(payer(index), anvil.publicClient as never) });
      return client;
    },
    usdcBalance: async (address) => (await anvil.publicClient.readContract({ address: usdc, abi: usdcAbi, functionName: "balanceOf", args: [address] })) as bigint,
    stop: () => anvil.stop(),
  };
}
