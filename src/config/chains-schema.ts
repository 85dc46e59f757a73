import { z } from "zod";

/** EVM address: 0x followed by 40 hex characters (checksum is verified where the address is used). */
const evmAddress = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be a 0x-prefixed 20-byte hex address");

/** Base58 Solana public key (32 bytes encode to 32–44 characters). */
const solanaAddress = z.string().regex(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/, "must be a base58 Solana address");

/** A Chainlink AggregatorV3 feed read on an EVM chain. */
const priceFeed = z.object({
  chain_id: z.number().int().positive(),
  address: evmAddress,
  /** Oldest answer accepted, in seconds; a staler answer delays crediting. */
  max_age_s: z.number().int().positive().default(3_600),
});

const evmAsset = z
  .object({
    symbol: z.string().min(1),
    address: evmAddress.optional(),
    native: z.boolean().default(false),
    decimals: z.number().int().min(0).max(36).optional(),
    /** Feed on this same chain (address) or on another configured chain. */
    price_feed: z.union([evmAddress, priceFeed]).optional(),
    price_max_age_s: z.number().int().positive().default(3_600),
  })
  .refine((asset) => asset.native !== Boolean(asset.address), {
    message: "an asset is either native: true or has a token address, not both",
  });

export const evmChainSchema = z.object({
  chain_id: z.number().int().positive(),
  name: z.string().optional(),
  rpc_url: z.string().url(),
  ws_url: z.string().url().optional(),
  treasury: evmAddress,
  /** The treasury is farebox's DepositReceiver contract (`npm run treasury:deploy`): ETH from any sender is read from its Deposit logs. */
  treasury_receiver: z.boolean().default(false),
  /** For a plain treasury: read ETH sent by contracts from traces when the RPC offers them ("auto"), or never ("off"). */
  internal_eth: z.enum(["auto", "off"]).default("auto"),
  confirmations: z.union([z.literal("finalized"), z.number().int().min(0)]).default("finalized"),
  /** Block time in ms; default: viem's chain definition, else 12 s. Sizes how long an expired intent's amount stays reserved. */
  block_time_ms: z.number().int().positive().optional(),
  poll_interval_ms: z.number().int().positive().default(4_000),
  max_block_range: z.number().int().positive().default(2_000),
  start_block: z.number().int().min(0).optional(),
  assets: z.array(evmAsset).min(1),
});

const solanaAsset = z
  .object({
    symbol: z.string().min(1),
    native: z.boolean().default(false),
    mint: solanaAddress.optional(),
    decimals: z.number().int().min(0).max(18).optional(),
    price_feed: priceFeed.optional(),
  })
  .refine((asset) => asset.native !== Boolean(asset.mint), {
    message: "an asset is either native: true or has a mint, not both",
  });

export const solanaChainSchema = z.object({
  rpc_url: z.string().url(),
  ws_url: z.string().url().optional(),
  treasury: solanaAddress,
  commitment: z.enum(["confirmed", "finalized"]).default("finalized"),
  poll_interval_ms: z.number().int().positive().default(4_000),
  assets: z.array(solanaAsset).min(1),
});

export const chainsSchema = z
  .object({
    evm: z.array(evmChainSchema).default([]),
    solana: solanaChainSchema.nullable().default(null),
  })
  .default({ evm: [], solana: null });

export type EvmChainConfig = z.infer<typeof evmChainSchema>;
export type SolanaChainConfig = z.infer<typeof solanaChainSchema>;
export type PriceFeedConfig = z.infer<typeof priceFeed>;
