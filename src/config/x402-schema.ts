import { z } from "zod";
import type { EvmChainConfig, SolanaChainConfig } from "./chains-schema.js";

/** USD amount as a decimal string ("0.10"); turned into nano-USD where it is used. */
const usdAmount = z.string().regex(/^\d+(\.\d{1,9})?$/, "must be a USD decimal string such as \"0.10\" (at most 9 decimals)");

/**
 * Pay per request with x402 (https://github.com/x402-foundation/x402, protocol version 2): an inference
 * call without an API key is answered 402 with what to pay; a signed USDC authorization pays for it.
 */
export const x402Schema = z
  .object({
    enabled: z.boolean().default(false),
    /** The smallest amount asked for; what a payment exceeds the request's cost stays as credit. */
    min_payment_usd: usdAmount.default("0.10"),
    /** Added to every quote, for the relayer's gas (an operator cost otherwise). */
    gas_surcharge_usd: usdAmount.default("0"),
    /** The EVM key that submits `transferWithAuthorization` and pays its gas (0x + 64 hex). */
    relayer_private_key: z
      .string()
      .regex(/^0x[0-9a-fA-F]{64}$/, "must be a 0x-prefixed 32-byte hex private key")
      .optional(),
    /** The Solana fee payer that co-signs `exact` payments and pays their fees: its 64-byte secret key in base58. */
    relayer_solana_secret_key: z
      .string()
      .regex(/^[1-9A-HJ-NP-Za-km-z]{64,90}$/, "must be a base58 64-byte Solana secret key")
      .optional(),
    /** When set, payments are verified and settled through this x402 facilitator instead of the relayer. */
    facilitator_url: z.string().url().nullable().default(null),
    /** How long a signed payment stays valid (the requirements' `maxTimeoutSeconds`). */
    max_timeout_s: z.number().int().min(10).max(3_600).default(300),
    /** CAIP-2 chains from `chains` whose USDC is offered: "eip155:<chain id>", "solana:mainnet". */
    chains: z.array(z.string().regex(/^(eip155:\d+|solana:\w+)$/, "must be a CAIP-2 chain such as eip155:8453")).default([]),
  })
  .strict()
  .default({ enabled: false, min_payment_usd: "0.10", gas_surcharge_usd: "0", facilitator_url: null, max_timeout_s: 300, chains: [] });

export type X402Config = z.infer<typeof x402Schema>;

/** x402's network id (CAIP-2, genesis hash) of Solana mainnet, the chain stored as `solana:mainnet`. */
export const X402_SOLANA_MAINNET = "solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp";

/** Whether an `x402.chains` entry names the Solana deposit chain (by its deposit key or its x402 network id). */
export function isSolanaX402Chain(chain: string): boolean {
  return chain === "solana:mainnet" || chain === X402_SOLANA_MAINNET;
}

/**
 * Problems of an enabled x402 section against the chains it names, each with its key path: a chain
 * that is not configured, one without a USDC token asset, no chain at all, or no relayer key while no
 * facilitator settles.
 */
export function x402Problems(
  x402: X402Config,
  chains: { evm: readonly EvmChainConfig[]; solana: SolanaChainConfig | null },
): { path: (string | number)[]; message: string }[] {
  if (!x402.enabled) return [];
  const problems: { path: (string | number)[]; message: string }[] = [];
  if (x402.chains.length === 0) problems.push({ path: ["x402", "chains"], message: "name at least one chain whose USDC is offered" });
  x402.chains.forEach((chain, index) => {
    const path = ["x402", "chains", index];
    if (chain.startsWith("solana:")) {
      if (!isSolanaX402Chain(chain)) problems.push({ path, message: `${chain}: the Solana chain is offered as solana:mainnet (${X402_SOLANA_MAINNET})` });
      else if (!chains.solana) problems.push({ path, message: `${chain} is not configured under chains.solana` });
      else if (!chains.solana.assets.some((asset) => asset.symbol === "USDC" && asset.mint && !asset.price_feed)) {
        problems.push({ path, message: `${chain} has no USDC mint asset (symbol USDC with a mint) under chains.solana` });
      }
      if (x402.facilitator_url) problems.push({ path, message: `${chain}: Solana payments are settled by farebox's own fee payer; facilitator_url serves EVM chains only` });
      if (!x402.relayer_solana_secret_key) problems.push({ path: ["x402", "relayer_solana_secret_key"], message: "is required to settle Solana payments (the fee payer)" });
      return;
    }
    const chainId = Number(chain.slice("eip155:".length));
    const config = chains.evm.find((c) => c.chain_id === chainId);
    if (!config) {
      problems.push({ path, message: `${chain} is not configured under chains.evm` });
      return;
    }
    if (!config.assets.some((asset) => asset.symbol === "USDC" && asset.address && !asset.price_feed)) {
      problems.push({ path, message: `${chain} has no USDC token asset (symbol USDC with an address) under chains.evm` });
    }
  });
  if (!x402.facilitator_url && !x402.relayer_private_key && x402.chains.some((chain) => chain.startsWith("eip155:"))) {
    problems.push({ path: ["x402", "relayer_private_key"], message: "is required to settle payments when no facilitator_url is set" });
  }
  return problems;
}
