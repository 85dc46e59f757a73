/**
 * Native ETH paid to the treasury, read one of three ways (chains.md §2.5):
 * - `receiver`: the treasury is farebox's DepositReceiver contract; every payment, whoever sends it,
 *   emits Deposit(from, value), read from logs exactly like a token Transfer (index = log index);
 * - `traces`: a plain treasury on a node that traces; every value frame to it, top-level or internal,
 *   from the call trees (index = −1 − its ordinal among the transaction's value frames to the treasury,
 *   so a top-level payment keeps −1 and two payments in one transaction are two deposits);
 * - `top_level`: a plain treasury without traces; only transactions sent straight to it (index −1).
 */
import { isBloom, isContractAddressInBloom, isTopicInBloom } from "ethereum-bloom-filters";
import { encodeEventTopics, getAddress, parseEventLogs, type Address, type Hash, type Hex, type Log, type PublicClient } from "viem";
import type { DepositObservation } from "../observation.js";
import { depositEvent } from "./abis.js";
import { tracedTransfersInBlock, tracedTransfersInTransaction, type TraceApi, type TracedTransfer } from "./traces.js";

/** How a chain's native deposits are read. */
export type NativeVia = { kind: "top_level" } | { kind: "receiver" } | { kind: "traces"; api: TraceApi };

/** The deposit index of a traced transfer: −1 for the first value frame to the treasury, −2 for the next, … */
export function tracedIndex(ordinal: number): number {
  return -1 - ordinal;
}

/** A block as the scanner read it; `transactions` are objects when read with transactions, else hashes. */
export interface NativeScanBlock {
  number: bigint;
  hash: Hash;
  logsBloom: Hex;
  timestamp: bigint;
  transactions: readonly (Hash | { hash: Hash; to: Address | null; from: Address; value: bigint })[];
}

/** What the native readers need of the watch. */
export interface NativeWatch {
  chain: string;
  treasury: Address;
  symbol: string;
  via: NativeVia;
}

/** Thrown when an answer belongs to another block than the one being read (lagging node, reorg). */
export class NativeReadMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NativeReadMismatchError";
  }
}

const depositTopic = encodeEventTopics({ abi: [depositEvent], eventName: "Deposit" })[0] as Hex;

function baseOf(watch: NativeWatch, block: { number: bigint; hash: Hash; timestamp: bigint }) {
  return { chain: watch.chain, to: getAddress(watch.treasury), asset: watch.symbol, blockOrSlot: block.number, blockHash: block.hash, blockTime: new Date(Number(block.timestamp) * 1000) };
}

function fromTraced(watch: NativeWatch, block: { number: bigint; hash: Hash; timestamp: bigint }, transfers: TracedTransfer[]): DepositObservation[] {
  return transfers
    .filter((t) => t.succeeded)
    .map((t) => ({ ...baseOf(watch, block), txId: t.txHash, index: tracedIndex(t.ordinal), from: t.from, amountBaseUnits: t.value }));
}

function fromDepositLogs(watch: NativeWatch, block: { number: bigint; hash: Hash; timestamp: bigint }, logs: Log[]): DepositObservation[] {
  const treasury = getAddress(watch.treasury);
  return parseEventLogs({ abi: [depositEvent], logs, eventName: "Deposit", strict: true })
    .filter((log) => getAddress(log.address) === treasury && !log.removed && log.args.value > 0n)
    .map((log) => ({ ...baseOf(watch, block), txId: log.transactionHash, index: log.logIndex, from: getAddress(log.args.from), amountBaseUnits: log.args.value }));
}

/** Native deposits to the treasury in one block. */
export async function nativeObservationsInBlock(client: PublicClient, watch: NativeWatch, block: NativeScanBlock): Promise<DepositObservation[]> {
  const treasury = getAddress(watch.treasury);
  if (watch.via.kind === "receiver") {
    if (isBloom(block.logsBloom) && !(isTopicInBloom(block.logsBloom, depositTopic) && isContractAddressInBloom(block.logsBloom, treasury))) return [];
    const logs = await client.getLogs({ address: treasury, event: depositEvent, blockHash: block.hash, strict: true });
    if (logs.some((log) => log.blockHash !== block.hash)) throw new NativeReadMismatchError(`Deposit logs for block ${block.number} came from another chain`);
    return fromDepositLogs(watch, block, logs);
  }
  if (watch.via.kind === "traces") {
    const hashes = block.transactions.map((tx) => (typeof tx === "string" ? tx : tx.hash));
    return fromTraced(watch, block, await tracedTransfersInBlock(client, watch.via.api, { number: block.number, hash: block.hash, transactions: hashes }, treasury));
  }
  const out: DepositObservation[] = [];
  for (const tx of block.transactions) {
    if (typeof tx === "string" || !tx.to || getAddress(tx.to) !== treasury || tx.value <= 0n) continue;
    const receipt = await client.getTransactionReceipt({ hash: tx.hash });
    if (receipt.status !== "success") continue;
    if (receipt.blockHash !== block.hash) throw new NativeReadMismatchError(`receipt of ${tx.hash} is from another chain than block ${block.number}`);
    out.push({ ...baseOf(watch, block), txId: tx.hash, index: -1, from: getAddress(tx.from), amountBaseUnits: tx.value });
  }
  return out;
}

/** Native deposits to the treasury made by one successful, canonical transaction (its receipt given). */
export async function nativeObservationsInTransaction(
  client: PublicClient,
  watch: NativeWatch,
  receipt: { transactionHash: Hash; to: Address | null; logs: Log[] },
  block: { number: bigint; hash: Hash; timestamp: bigint },
): Promise<DepositObservation[]> {
  const treasury = getAddress(watch.treasury);
  if (watch.via.kind === "receiver") return fromDepositLogs(watch, block, receipt.logs);
  if (watch.via.kind === "traces") return fromTraced(watch, block, await tracedTransfersInTransaction(client, watch.via.api, receipt.transactionHash, treasury));
  if (!receipt.to || getAddress(receipt.to) !== treasury) return [];
  const tx = await client.getTransaction({ hash: receipt.transactionHash });
  return tx.value > 0n ? [{ ...baseOf(watch, block), txId: receipt.transactionHash, index: -1, from: getAddress(tx.from), amountBaseUnits: tx.value }] : [];
}
