/**
 * Builds the x402 payment flow from config (`x402`): one payment network per offered EVM chain, the
 * facilitator (the operator's relayer in this process, or `facilitator_url`), and wallet accounts
 * from auth. Undefined when x402 is disabled. Building it opens no connection.
 */
import type { Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { payerAccount } from "../auth/payer-account.js";
import { createEvmRelayerClient, evmChainKey, type EvmRelayerClient } from "../chains/evm/client.js";
import type { Config } from "../config/schema.js";
import type { Db } from "../db/client.js";
import type { ChainRuntime } from "../deposits/runtime.js";
import { usdToNano } from "../domain/money.js";
import { accountOfWallet } from "../deposits/attribution.js";
import { getBalance } from "../ledger/index.js";
import { evmPaymentNetwork } from "../x402/evm-network.js";
import { localFacilitator, remoteFacilitator, type SolanaFeePayer } from "../x402/facilitator.js";
import { solanaPaymentNetwork } from "../x402/solana-network.js";
import { isSolanaX402Chain, X402_SOLANA_MAINNET } from "../config/x402-schema.js";
import { getBase58Encoder } from "@solana/kit";
import { Keypair } from "@solana/web3.js";
import { X402Payments } from "../x402/payments.js";

/** The process's x402 flow, or undefined when `x402.enabled` is false. */
export function buildX402(config: Config, db: Db, chains: ChainRuntime, clock: () => Date): X402Payments | undefined {
  const x402 = config.x402;
  if (!x402.enabled) return undefined;
  const runtimes = x402.chains.filter((network) => !isSolanaX402Chain(network)).map((network) => {
    const runtime = chains.evm.find((evm) => evm.watch.chain === network);
    // config validation refused unknown chains; a runtime handed in by a caller must still have them
    if (!runtime) throw new Error(`x402.chains: ${network} is not configured under chains.evm`);
    return runtime;
  });
  const key = x402.relayer_private_key as Hex | undefined;
  const relayer = !x402.facilitator_url && key ? privateKeyToAccount(key).address : undefined;
  const relayers = new Map<string, EvmRelayerClient>();
  if (relayer && key) {
    for (const runtime of runtimes) relayers.set(evmChainKey(runtime.config.chain_id), createEvmRelayerClient({ chainId: runtime.config.chain_id, rpcUrl: runtime.config.rpc_url, privateKey: key }));
  }
  const networks = runtimes.map((runtime) => evmPaymentNetwork(runtime, relayer));
  let feePayer: SolanaFeePayer | undefined;
  if (x402.chains.some(isSolanaX402Chain)) {
    if (!chains.solana || !x402.relayer_solana_secret_key) throw new Error("x402.chains: solana:mainnet needs chains.solana and x402.relayer_solana_secret_key");
    const secretKey = new Uint8Array(getBase58Encoder().encode(x402.relayer_solana_secret_key));
    networks.push(solanaPaymentNetwork(chains.solana, Keypair.fromSecretKey(secretKey).publicKey.toBase58()));
    feePayer = { network: X402_SOLANA_MAINNET, secretKey, rpcUrl: chains.solana.config.rpc_url };
  }
  return new X402Payments({
    db,
    networks,
    facilitator: x402.facilitator_url ? remoteFacilitator(x402.facilitator_url) : localFacilitator(relayers, feePayer),
    payers: (family, address, now) => payerAccount(db, family, address, now),
    wallets: {
      accountOf: (family, address) => accountOfWallet(db, family, address),
      availableNano: async (accountId) => (await getBalance(db, accountId))?.availableNano ?? 0n,
    },
    pricing: { minNano: usdToNano(x402.min_payment_usd), surchargeNano: usdToNano(x402.gas_surcharge_usd), maxTimeoutSeconds: x402.max_timeout_s },
    clock,
  });
}
