/**
 * Reads deposits to one treasury from an EVM chain: allowlisted token Transfer logs and native ETH
 * (from the receiver's Deposit logs, from traces, or top-level transfers: native.ts), as plain
 * observations (DESIGN.md §5, chains.md §2.3–2.5).
 */
import { isBloom, isContractAddressInBloom, isTopicInBloom, isUserEthereumAddressInBloom } from "ethereum-bloom-filters";
import { encodeEventTopics, getAddress, type Address, type Hash, type Hex, type PublicClient } from "viem";
import type { BlockCursor, DepositObservation } from "../observation.js";
import { transferEvent } from "./abis.js";
import { nativeObservationsInBlock, type NativeVia, type NativeWatch } from "./native.js";

/** What to watch on one chain. */
export interface EvmWatch {
  /** CAIP-2 key, e.g. "eip155:8453". */
  chain: string;
  treasury: Address;
  tokens: { symbol: string; address: Address }[];
  /** Symbol for native transfers ("ETH"), or undefined to ignore native value. */
  nativeSymbol?: string;
  /** How native transfers are read; default: top-level transactions only. */
  nativeVia?: NativeVia;
}

/** The native part of a watch, or undefined when native value is ignored. */
export function nativeWatchOf(watch: EvmWatch): NativeWatch | undefined {
  if (!watch.nativeSymbol) return undefined;
  return { chain: watch.chain, treasury: watch.treasury, symbol: watch.nativeSymbol, via: watch.nativeVia ?? { kind: "top_level" } };
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

/** Thrown when a node's answers do not provably cover a range; the range is read again on the next pass. */
export class IncompleteRangeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "IncompleteRangeError";
  }
}

/** A deposit range read as one chain: its observations and the last block's number and hash. */
export interface CoveredRange {
  observations: DepositObservation[];
  last: BlockCursor;
  /** The hash read for each block of the range. */
  hashes: Map<bigint, string>;
}

type ScannedBlock = { number: bigint; hash: Hash; parentHash: Hash; logsBloom: Hex; timestamp: bigint; transactions: readonly (Hash | { hash: Hash; to: Address | null; from: Address; value: bigint })[] };

const BLOCK_READ_CONCURRENCY = 8;

/** Every block of [from, to] by number (with transactions when native value is watched); a missing block throws. */
async function readBlocks(client: PublicClient, from: bigint, to: bigint, withTransactions: boolean): Promise<ScannedBlock[]> {
  const numbers: bigint[] = [];
  for (let n = from; n <= to; n += 1n) numbers.push(n);
  const blocks: ScannedBlock[] = [];
  for (let i = 0; i < numbers.length; i += BLOCK_READ_CONCURRENCY) {
    const batch = numbers.slice(i, i + BLOCK_READ_CONCURRENCY);
    const read = await Promise.all(batch.map((blockNumber) => client.getBlock({ blockNumber, includeTransactions: withTransactions })));
    for (const [j, block] of read.entries()) {
      if (block.hash === null || block.number !== batch[j]) throw new IncompleteRangeError(`block ${batch[j]} is not available yet`);
      blocks.push({ number: block.number, hash: block.hash, parentHash: block.parentHash, logsBloom: block.logsBloom ?? "0x", timestamp: block.timestamp, transactions: block.transactions });
    }
  }
  return blocks;
}

/** Throws unless the blocks form one chain (each names the previous as parent, the first names `parentHash`). */
function assertOneChain(blocks: ScannedBlock[], parentHash: string | undefined): void {
  let expected = parentHash;
  for (const block of blocks) {
    if (expected && block.parentHash !== expected) throw new IncompleteRangeError(`block ${block.number} does not extend the range read so far (reorg during the read)`);
    expected = block.hash;
  }
}

/** True when a block's bloom filter says it may hold a Transfer to the treasury from one of the tokens. */
function mayHoldTokenTransfer(bloom: Hex, watch: EvmWatch, transferTopic: Hex): boolean {
  if (!isBloom(bloom)) return true;
  return (
    isTopicInBloom(bloom, transferTopic) &&
    isUserEthereumAddressInBloom(bloom, watch.treasury) &&
    watch.tokens.some((token) => isContractAddressInBloom(bloom, token.address))
  );
}

/** Token transfers to the treasury in one block, read by its hash (a node that lacks the block errors). */
async function tokenObservationsIn(client: PublicClient, watch: EvmWatch, block: ScannedBlock): Promise<DepositObservation[]> {
  const bySymbol = new Map(watch.tokens.map((t) => [getAddress(t.address), t.symbol]));
  const logs = await client.getLogs({ address: watch.tokens.map((t) => t.address), event: transferEvent, args: { to: watch.treasury }, blockHash: block.hash, strict: true });
  const out: DepositObservation[] = [];
  for (const log of logs) {
    if (log.blockHash !== block.hash) throw new IncompleteRangeError(`logs for block ${block.number} came from another chain`);
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
      blockOrSlot: block.number,
      blockHash: block.hash,
      blockTime: new Date(Number(block.timestamp) * 1000),
    });
  }
  return out;
}

/**
 * Deposits to the treasury from `from` up to at most `to` (the returned `last` says how far), ordered by
 * block then index, read so that the answer
 * provably covers the range even behind a load balancer whose nodes lag each other: every block is
 * read by number (a node behind the head has no such block and the read fails), the blocks must form
 * one chain starting at `parentHash` (the cursor), and token logs are read per block by its hash, for
 * the blocks whose bloom filter admits a Transfer to the treasury (a bloom has no false negatives).
 * When a block's logs cannot be read, the range ends before that block.
 */
export async function readCoveredRange(client: PublicClient, watch: EvmWatch, from: bigint, to: bigint, parentHash?: string): Promise<CoveredRange> {
  const native = nativeWatchOf(watch);
  const blocks = await readBlocks(client, from, to, native?.via.kind === "top_level");
  assertOneChain(blocks, parentHash);
  const transferTopic = encodeEventTopics({ abi: [transferEvent], eventName: "Transfer" })[0] as Hex;
  const observations: DepositObservation[] = [];
  for (const [i, block] of blocks.entries()) {
    try {
      if (watch.tokens.length > 0 && mayHoldTokenTransfer(block.logsBloom, watch, transferTopic)) {
        observations.push(...(await tokenObservationsIn(client, watch, block)));
      }
      if (native) observations.push(...(await nativeObservationsInBlock(client, native, block)));
    } catch (error) {
      // A node that does not know this block yet (or any failure here): the range read ends before it.
      if (i === 0) throw error;
      blocks.length = i;
      break;
    }
  }
  observations.sort((a, b) => (a.blockOrSlot === b.blockOrSlot ? a.index - b.index : a.blockOrSlot < b.blockOrSlot ? -1 : 1));
  const lastBlock = blocks[blocks.length - 1];
  const hashes = new Map(blocks.map((b) => [b.number, b.hash as string]));
  return { observations, hashes, last: lastBlock ? { block: lastBlock.number, hash: lastBlock.hash } : { block: from - 1n, hash: parentHash ?? "" } };
}

/** Every deposit to the treasury in [from, to], ordered by block then index (see {@link readCoveredRange}). */
export async function readDeposits(client: PublicClient, watch: EvmWatch, from: bigint, to: bigint): Promise<DepositObservation[]> {
  if (from > to) return [];
  return (await readCoveredRange(client, watch, from, to)).observations;
}
