/**
 * Re-reading one deposit transaction from its receipt: what it paid the treasury, and whether its block
 * is canonical now. Used before a deposit is given up as orphaned and by the chain audit, since a log
 * range answered by a lagging node or a reorg that re-included the transaction elsewhere must not lose it.
 */
import { getAddress, parseEventLogs, type Hash, type PublicClient } from "viem";
import type { DepositObservation } from "../observation.js";
import { transferEvent } from "./abis.js";
import { nativeWatchOf, type EvmWatch } from "./scanner.js";
import { nativeObservationsInTransaction } from "./native.js";

/** A transaction as the chain holds it now: absent (dropped, replaced, never mined), failed, or its deposits. */
export type ReceiptCheck = { kind: "absent" } | { kind: "failed" } | { kind: "included"; observations: DepositObservation[] };

async function receiptOf(client: PublicClient, hash: Hash) {
  try {
    return await client.getTransactionReceipt({ hash });
  } catch (error) {
    if (error instanceof Error && error.name === "TransactionReceiptNotFoundError") return undefined;
    throw error;
  }
}

async function blockAt(client: PublicClient, blockNumber: bigint) {
  try {
    return await client.getBlock({ blockNumber });
  } catch (error) {
    if (error instanceof Error && error.name === "BlockNotFoundError") return undefined;
    throw error;
  }
}

/**
 * The deposits to the treasury that transaction `txId` made on the canonical chain. A receipt whose
 * block is no longer canonical counts as absent.
 */
export async function checkDepositTransaction(client: PublicClient, watch: EvmWatch, txId: string): Promise<ReceiptCheck> {
  const hash = txId as Hash;
  const receipt = await receiptOf(client, hash);
  if (!receipt) return { kind: "absent" };
  const block = await blockAt(client, receipt.blockNumber);
  if (block?.hash !== receipt.blockHash) return { kind: "absent" };
  if (receipt.status !== "success") return { kind: "failed" };
  const treasury = getAddress(watch.treasury);
  const base = { chain: watch.chain, txId: hash, to: treasury, blockOrSlot: receipt.blockNumber, blockHash: receipt.blockHash, blockTime: new Date(Number(block.timestamp) * 1000) };
  const observations: DepositObservation[] = [];
  const bySymbol = new Map(watch.tokens.map((t) => [getAddress(t.address), t.symbol]));
  for (const log of parseEventLogs({ abi: [transferEvent], logs: receipt.logs, eventName: "Transfer", strict: true })) {
    const symbol = bySymbol.get(getAddress(log.address));
    if (!symbol || getAddress(log.args.to) !== treasury || log.args.value <= 0n) continue;
    observations.push({ ...base, index: log.logIndex, from: getAddress(log.args.from), asset: symbol, amountBaseUnits: log.args.value });
  }
  const native = nativeWatchOf(watch);
  if (native) observations.push(...(await nativeObservationsInTransaction(client, native, receipt, { number: receipt.blockNumber, hash: receipt.blockHash, timestamp: block.timestamp })));
  return { kind: "included", observations };
}

/** True when `candidate` is the same transfer as `row` (transaction, sender, recipient, asset, amount), wherever its log landed. */
export function sameTransfer(
  row: Pick<DepositObservation, "txId" | "from" | "to" | "asset" | "amountBaseUnits">,
  candidate: Pick<DepositObservation, "txId" | "from" | "to" | "asset" | "amountBaseUnits">,
): boolean {
  return (
    row.txId.toLowerCase() === candidate.txId.toLowerCase() &&
    row.from.toLowerCase() === candidate.from.toLowerCase() &&
    row.to.toLowerCase() === candidate.to.toLowerCase() &&
    row.asset === candidate.asset &&
    row.amountBaseUnits === candidate.amountBaseUnits
  );
}
