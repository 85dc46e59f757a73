/** Shared types of the deposit layer: how an observed amount is valued and who it belongs to. */

/** Price used for a credit, stored beside it. Absent for stablecoins (1 base unit scaled = 1 USD). */
export interface DepositRate {
  answer: bigint;
  decimals: number;
  round: string;
}

/** The USD value of an observation at credit time, or why it cannot be valued yet. */
export type Valuation = { kind: "value"; valueNano: bigint; rate?: DepositRate } | { kind: "not_ready"; reason: string };

/** Values an amount of an asset on one chain now (stablecoins 1:1, others through a price feed). */
export type AssetValuer = (asset: string, amountBaseUnits: bigint) => Promise<Valuation>;

/** Who a deposit belongs to and why. */
export interface Attribution {
  accountId: string;
  attribution: "wallet" | "intent" | "reference" | "admin";
  intentId?: string;
}

/** Wallet family of a CAIP-2 chain key ("eip155:8453" → "evm", "solana:mainnet" → "solana"). */
export function familyOfChain(chain: string): "evm" | "solana" {
  return chain.startsWith("solana:") ? "solana" : "evm";
}
