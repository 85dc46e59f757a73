/**
 * The plain shape every chain scanner hands to the deposit layer (DESIGN.md §5). Chain libraries stop here:
 * nothing past this type knows about viem or web3.js.
 */

/** One incoming transfer to a treasury, as read from a chain. */
export interface DepositObservation {
  /** CAIP-2 style chain id: "eip155:8453", "solana:mainnet". */
  chain: string;
  /** Transaction hash (EVM) or signature (Solana). */
  txId: string;
  /**
   * Log index for token transfers and a receiver's Deposit logs; for native value found otherwise, −1 − its
   * order among the transaction's value calls to the treasury (−1 = the top-level transfer; chains/evm/native.ts);
   * instruction/account index on Solana.
   */
  index: number;
  from: string;
  /** Every wallet whose balance decreased (Solana: token owners / signers), `from` first; absent = just `from`. */
  senders?: string[];
  to: string;
  /** Asset symbol as configured ("USDC", "ETH", "SOL"). */
  asset: string;
  amountBaseUnits: bigint;
  blockOrSlot: bigint;
  blockHash?: string;
  /** When the block (slot) was produced, by the chain's own clock: an intent's window is judged by it. */
  blockTime?: Date;
  memoOrReference?: string;
}

/** A position in a chain the listener has fully processed up to (inclusive). */
export interface BlockCursor {
  block: bigint;
  hash: string;
}

/** The unique key of an observation: a restart, a replay or a second listener yields the same key. */
export function observationKey(o: Pick<DepositObservation, "chain" | "txId" | "index" | "asset">): string {
  return `${o.chain}:${o.txId}:${o.index}:${o.asset}`;
}
