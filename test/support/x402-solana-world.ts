/**
 * One Solana x402 scenario's chain: the LiteSVM RPC harness with USDC at its mainnet mint, a treasury
 * wallet with its USDC account, the operator's funded fee payer, and payer wallets holding USDC and no
 * SOL (wallet `lowIndex` only $0.05). Also the `chains` and `x402` config sections of a farebox over it,
 * and an x402 client (the `@x402/svm` exact scheme) paying from a wallet.
 */
import { Keypair, type PublicKey } from "@solana/web3.js";
import { getAssociatedTokenAddressSync } from "@solana/spl-token";
import { createKeyPairSignerFromBytes, getBase58Decoder } from "@solana/kit";
import { x402Client } from "@x402/fetch";
import { ExactSvmScheme } from "@x402/svm/exact/client";
import type { SolanaChainConfig } from "../../src/config/chains-schema.js";
import type { Config } from "../../src/config/schema.js";
import { X402_SOLANA_MAINNET } from "../../src/config/x402-schema.js";
import { fundedWallet, installMint, mintTo, USDC_MINT } from "./solana-rpc/fixtures.js";
import { startSolanaRpc, type SolanaRpcServer } from "./solana-rpc/server.js";

export interface X402SolanaChain {
  rpc: SolanaRpcServer;
  treasury: PublicKey;
  operator: Keypair;
  payers: Keypair[];
  solana: SolanaChainConfig;
  /** The `chains` and `x402` config sections offering this chain's USDC. */
  config(): Pick<Config, "chains" | "x402">;
  /** An x402 client paying from wallet `index`. */
  client(index: number): Promise<x402Client>;
  treasuryTokens(): bigint;
  stop(): Promise<void>;
}

/** Starts the harness with `count` payers; wallet `lowIndex` holds $0.05, the others $1,000. */
export async function startX402SolanaChain(count = 3, lowIndex = 2): Promise<X402SolanaChain> {
  const rpc = await startSolanaRpc();
  const mintAuthority = fundedWallet(rpc.chain);
  installMint(rpc.chain, USDC_MINT, mintAuthority.publicKey);
  const treasury = Keypair.generate().publicKey;
  mintTo(rpc.chain, mintAuthority, USDC_MINT, treasury, 0n);
  const payers: Keypair[] = [];
  for (let i = 0; i < count; i++) {
    const payer = Keypair.generate();
    mintTo(rpc.chain, mintAuthority, USDC_MINT, payer.publicKey, i === lowIndex ? 50_000n : 1_000_000_000n);
    payers.push(payer);
  }
  const operator = fundedWallet(rpc.chain);
  const solana: SolanaChainConfig = {
    rpc_url: rpc.url,
    treasury: treasury.toBase58(),
    commitment: "finalized",
    poll_interval_ms: 60_000,
    assets: [{ symbol: "USDC", native: false, mint: USDC_MINT.toBase58(), decimals: 6 }],
  };
  return {
    rpc,
    treasury,
    operator,
    payers,
    solana,
    config: () => ({
      chains: { evm: [], solana },
      x402: {
        enabled: true,
        min_payment_usd: "0.10",
        gas_surcharge_usd: "0",
        relayer_solana_secret_key: getBase58Decoder().decode(operator.secretKey),
        facilitator_url: null,
        max_timeout_s: 300,
        chains: ["solana:mainnet"],
      },
    }),
    client: async (index) => {
      const signer = await createKeyPairSignerFromBytes(payers[index]!.secretKey);
      return new x402Client().register(X402_SOLANA_MAINNET, new ExactSvmScheme(signer, { rpcUrl: rpc.url }));
    },
    treasuryTokens: () => rpc.chain.tokenAmount(getAssociatedTokenAddressSync(USDC_MINT, treasury, true)),
    stop: () => rpc.close(),
  };
}
