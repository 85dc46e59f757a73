/**
 * Reads deposits to one treasury from an EVM chain: allowlisted token Transfer logs and top-level native
 * transfers (successful receipts only), as plain observations (DESIGN.md §5, chains.md §2.3–2.5).
 */
import { getAddress, type Address, type Hash, type PublicClient } from "viem";
import type { BlockCursor, DepositObservation } from "../observation.js";
import { transferEvent } from "./abis.js";

/** What to watch on one chain. */
export interface EvmWatch {
  /** CAIP-2 key, e.g. "eip155:8453". */
  chain: string;
  treasury: Address;
  tokens: { symbol: string; address: Address }[];
  /** Symbol for native transfers ("ETH"), or undefined to ignore native value. */
  nativeSymbol?: string;
}

/** How deep a block must be before its deposits count: the `finalized` tag or a confirmation count. */
export type Confirmations = "finalized" | number;

/** The highest block whose deposits may be credited now, with the current head. */
export async function creditableHead(client: PublicClient, confirmations: Confirmations): Promise<{ target: bigint; latest: bigint }> {
  const latest = await client.getBlockNumber({ cacheTime: 0 });
  if (confirmations === "finalized") {
    const finalized = await client.getBlock({ blockTag: "finalized" });
    const target = finalized.number ?? -1n;
    return { target: target > latest ? latest : target, latest };
  }
  return { target: latest - BigInt(confirmations) + 1n, latest };
}

/** Confirmations a deposit in `block` has when the head is `latest` (0 when not yet included). */
export function confirmationsAt(block: bigint, latest: bigint): number {
  return latest >= block ? Number(latest - block + 1n) : 0;
}

/** The canonical hash at a height, or undefined above the head. */
export async function blockHashAt(client: PublicClient, block: bigint): Promise<Hash | undefined> {
  try {
    const found = await client.getBlock({ blockNumber: block });
    return found.hash ?? undefined;
  } catch (error) {
    if (error instanceof Error && error.name === "BlockNotFoundError") return undefined;
    throw error;
  }
}

/** True when the stored cursor still names a canonical block (false = a reorg replaced it). */
export async function cursorIsCanonical(client: PublicClient, cursor: BlockCursor): Promise<boolean> {
  if (cursor.block < 0n) return true;
  return (await blockHashAt(client, cursor.block)) === cursor.hash;
}

/** Token transfers to the treasury in [from, to], oldest first. */
async function tokenObservations(client: PublicClient, watch: EvmWatch, from: bigint, to: bigint): Promise<DepositObservation[]> {
  if (watch.tokens.length === 0) return [];
  const bySymbol = new Map(watch.tokens.map((t) => [getAddress(t.address), t.symbol]));
  const logs = await client.getLogs({
    address: watch.tokens.map((t) => t.address),
    event: transferEvent,
    args: { to: watch.treasury },
    fromBlock: from,
    toBlock: to,
    strict: true,
  });
  const out: DepositObservation[] = [];
  for (const log of logs) {
    const symbol = bySymbol.get(getAddress(log.address));
    if (!symbol || log.removed || getAddress(log.args.to) !== getAddress(watch.treasury) || log.args.value <= 0n) continue;
    out.push({
      chain: watch.chain,
      txId: log.transactionHash,
      index: log.logIndex,
      from: getAddress(log.args.from),
      to: getAddress(log.args.to),
      asset: symbol,
      amountBaseUnits: log.args.value,
      blockOrSlot: log.blockNumber,
      blockHash: log.blockHash,
    });
  }
  return out;
}

/** Top-level native transfers to the treasury in [from, to] whose receipts succeeded. */
async function nativeObservations(client: PublicClient, watch: EvmWatch, from: bigint, to: bigint): Promise<DepositObservation[]> {
  const symbol = watch.nativeSymbol;
  if (!symbol) return [];
  const treasury = getAddress(watch.treasury);
  const out: DepositObservation[] = [];
  for (let number = from; number <= to; number += 1n) {
    const block = await client.getBlock({ blockNumber: number, includeTransactions: true });
    for (const tx of block.transactions) {
      if (!tx.to || getAddress(tx.to) !== treasury || tx.value <= 0n) continue;
      const receipt = await client.getTransactionReceipt({ hash: tx.hash });
      if (receipt.status !== "success" || receipt.blockHash !== block.hash) continue;
      out.push({
        chain: watch.chain,
        txId: tx.hash,
        index: -1,
        from: getAddress(tx.from),
        to: treasury,
        asset: symbol,
        amountBaseUnits: tx.value,
        blockOrSlot: number,
        blockHash: block.hash ?? undefined,
      });
    }
  }
  return out;
}

/** Every deposit to the treasury in [from, to], ordered by block then index. */
export async function readDeposits(client: PublicClient, watch: EvmWatch, from: bigint, to: bigint): Promise<DepositObservation[]> {
  if (from > to) return [];
  const [tokens, native] = await Promise.all([
    tokenObservations(client, watch, from, to),
    nativeObservations(client, watch, from, to),
  ]);
  return [...tokens, ...native].sort((a, b) =>
    a.blockOrSlot === b.blockOrSlot ? a.index - b.index : a.blockOrSlot < b.blockOrSlot ? -1 : 1,
  );
}
