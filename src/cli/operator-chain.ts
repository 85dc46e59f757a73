/**
 * What the treasury commands share: `--chain <id>` picks a configured EVM chain, the operator key
 * comes from FAREBOX_OPERATOR_KEY, and a read client plus a signing client are built for that chain.
 */
import { parseArgs } from "node:util";
import { createWalletClient, http, type Account, type Chain, type PublicClient, type Transport, type WalletClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { loadConfig } from "../config/load.js";
import { loadOperatorKey } from "../config/operator-key.js";
import type { EvmChainConfig } from "../config/chains-schema.js";
import { createEvmPublicClient } from "../chains/evm/client.js";

/** One configured chain with the operator's clients for it. */
export interface OperatorChain {
  config: EvmChainConfig;
  client: PublicClient;
  wallet: WalletClient<Transport, Chain, Account>;
  /** The command's other options, as given. */
  options: Record<string, string | undefined>;
}

/** Thrown for a usage mistake; the command prints it and exits 2. */
export class UsageError extends Error {}

/** Parses `--chain <id>` plus `extraOptions`, and builds the chain's clients with the operator key. */
export function operatorChain(argv: string[], extraOptions: string[]): OperatorChain {
  const options = Object.fromEntries([["chain", { type: "string" as const }], ...extraOptions.map((name) => [name, { type: "string" as const }])]);
  const { values } = parseArgs({ args: argv, options, strict: true });
  const given = values as Record<string, string | undefined>;
  const chainId = Number(given.chain);
  const configured = loadConfig().chains.evm;
  if (!given.chain || !Number.isSafeInteger(chainId)) throw new UsageError(`--chain <id> is required (configured: ${configured.map((c) => c.chain_id).join(", ") || "none"})`);
  const config = configured.find((c) => c.chain_id === chainId);
  if (!config) throw new UsageError(`chain ${chainId} is not configured under chains.evm`);
  const client = createEvmPublicClient({ chainId, rpcUrl: config.rpc_url });
  const chain: Chain = { id: chainId, name: `eip155:${chainId}`, nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [config.rpc_url] } } };
  const wallet = createWalletClient({ chain, transport: http(config.rpc_url), account: privateKeyToAccount(loadOperatorKey()) });
  return { config, client, wallet, options: given };
}

/** Runs a command body, turning usage and configuration mistakes into a message and exit code 2. */
export async function runOperatorCommand(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    const usage = error instanceof UsageError || (error instanceof Error && error.name === "ConfigError");
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = usage ? 2 : 1;
  }
}
