/**
 * A configured chain as the deposit API sees it: where to pay, what is accepted, how deposits are
 * attributed, and how an intent's amount and payment URI are formed. EVM and Solana each build one.
 */

/** One accepted asset. */
export interface DepositAsset {
  symbol: string;
  decimals: number;
  native: boolean;
  /** Token contract (EVM) or mint (Solana); absent for the native asset. */
  tokenAddress?: string;
  /** True when the asset is valued through a price feed (not a USD stablecoin). */
  priced: boolean;
}

/** A quote for converting USD into an asset now: absent price = 1 USD per whole unit. */
export type AssetQuote = { kind: "quote"; price?: { answer: bigint; decimals: number } } | { kind: "not_ready"; reason: string };

/** Everything the deposit endpoints need about one chain. */
export interface DepositChain {
  /** CAIP-2 key: "eip155:8453", "solana:mainnet". */
  chain: string;
  family: "evm" | "solana";
  /** Numeric EVM chain id; undefined on Solana. */
  chainId?: number;
  name: string;
  treasury: string;
  /** "finalized" or a block count. */
  confirmations: "finalized" | number;
  assets: DepositAsset[];
  /** How long an expired intent's amount stays reserved on this chain: clock margin plus confirmation depth (reissue-cooldown.ts). */
  intentReissueCooldownMs: number;
  /** A warning for whoever pays, e.g. that ETH sent by a contract would not be seen here; absent when every sender is seen. */
  notice?: string;
  /** Attribution methods, in the order they are tried. */
  attribution: string[];
  /** Current price of an asset for sizing an intent. */
  quote(asset: DepositAsset): Promise<AssetQuote>;
  /**
   * A recent blockhash from the operator's own RPC (Solana only), so a browser wallet can send a
   * payment without the page knowing the RPC URL (which may hold an API key).
   */
  recentBlockhash?(): Promise<{ blockhash: string; lastValidBlockHeight: number }>;
  /** A payment-request URI (EIP-681, Solana Pay) for an exact amount. */
  paymentUri(asset: DepositAsset, amountBaseUnits: bigint, intentId: string): string;
}

/** Finds a chain by CAIP-2 key, EVM chain id ("8453", 8453) or family name ("solana"). */
export function findDepositChain(chains: readonly DepositChain[], requested: unknown): DepositChain | undefined {
  if (typeof requested === "number") return chains.find((c) => c.chainId === requested);
  if (typeof requested !== "string") return undefined;
  return chains.find(
    (c) =>
      c.chain === requested ||
      (c.chainId !== undefined && (String(c.chainId) === requested || `evm:${c.chainId}` === requested)) ||
      // a family name ("evm", "solana", as sign-in takes) when it names exactly one configured chain
      (c.family === requested && chains.filter((other) => other.family === requested).length === 1) ||
      c.name.toLowerCase() === requested.toLowerCase(),
  );
}
