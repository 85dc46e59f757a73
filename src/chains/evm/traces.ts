/**
 * ETH sent to the treasury by contracts (smart wallets, exchanges' batching contracts), read from
 * execution traces: internal transfers are not in `block.transactions` (chains.md §2.5). Two RPC
 * flavours exist — geth's `debug_traceBlockByNumber` with the call tracer, and parity/erigon's
 * `trace_block` — and both list every call frame of a transaction in pre-order, so a transfer's ordinal
 * among the value frames to the treasury (reverted ones counted too) is the same whichever answers and
 * however often the block is read again: that ordinal is the transfer's place in its deposit key.
 */
import { BaseError, HttpRequestError, RpcRequestError, getAddress, toHex, type Address, type Hash, type PublicClient } from "viem";
import { z } from "zod";

/** The tracing method a node offers. */
export type TraceApi = "debug_traceBlockByNumber" | "trace_block";

/** One value transfer to the treasury in a transaction's call tree. */
export interface TracedTransfer {
  txHash: Hash;
  /** Place among the transaction's value frames to the treasury, in call order (0 = the first, the top-level call if it pays). */
  ordinal: number;
  /** The immediate sender: the account or contract whose frame paid. */
  from: Address;
  value: bigint;
  /** False when the frame or any frame above it reverted: nothing arrived. */
  succeeded: boolean;
}

interface CallFrame {
  type: string;
  from: string;
  to?: string;
  value?: string;
  error?: string;
  calls?: CallFrame[];
}

const callFrame: z.ZodType<CallFrame> = z.lazy(() =>
  z.object({
    type: z.string(),
    from: z.string(),
    to: z.string().optional(),
    value: z.string().optional(),
    error: z.string().optional(),
    calls: z.array(callFrame).optional(),
  }),
);
const debugBlockTrace = z.array(z.object({ txHash: z.string().optional(), result: callFrame }));
const parityTrace = z.object({
  type: z.string(),
  action: z.object({
    callType: z.string().optional(),
    from: z.string().optional(),
    to: z.string().optional(),
    value: z.string().optional(),
    address: z.string().optional(),
    refundAddress: z.string().optional(),
    balance: z.string().optional(),
  }),
  error: z.string().optional(),
  traceAddress: z.array(z.number()),
  transactionHash: z.string().nullish(),
  blockHash: z.string().nullish(),
});
const parityTraces = z.array(parityTrace);

/** Thrown when a trace answer is not about the block asked for (a reorg or a lagging node). */
export class TraceMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TraceMismatchError";
  }
}

async function rpc(client: PublicClient, method: string, params: unknown[]): Promise<unknown> {
  const request = client.request as unknown as (args: { method: string; params: unknown[] }) => Promise<unknown>;
  return request({ method, params });
}

function same(a: string | undefined, b: string): boolean {
  return a !== undefined && a.toLowerCase() === b.toLowerCase();
}

/** Value frames to `treasury` in one geth call tree, in pre-order; a frame under a reverted one did not happen. */
function transfersInCallTree(root: CallFrame, txHash: Hash, treasury: Address): TracedTransfer[] {
  const out: TracedTransfer[] = [];
  const visit = (frame: CallFrame, revertedAbove: boolean) => {
    const reverted = revertedAbove || frame.error !== undefined;
    const type = frame.type.toUpperCase();
    const value = frame.value ? BigInt(frame.value) : 0n;
    if ((type === "CALL" || type === "SELFDESTRUCT") && same(frame.to, treasury) && value > 0n) {
      out.push({ txHash, ordinal: out.length, from: getAddress(frame.from), value, succeeded: !reverted });
    }
    for (const child of frame.calls ?? []) visit(child, reverted);
  };
  visit(root, false);
  return out;
}

/** Value frames to `treasury` in one transaction's parity traces (already in pre-order). */
function transfersInParityTraces(traces: z.infer<typeof parityTrace>[], txHash: Hash, treasury: Address): TracedTransfer[] {
  const failed = traces.filter((t) => t.error !== undefined).map((t) => t.traceAddress);
  const under = (address: number[], prefix: number[]) => prefix.length <= address.length && prefix.every((n, i) => address[i] === n);
  const out: TracedTransfer[] = [];
  for (const trace of traces) {
    const { action } = trace;
    const call = trace.type === "call" && action.callType === "call";
    const destruct = trace.type === "suicide";
    const to = call ? action.to : destruct ? action.refundAddress : undefined;
    const from = call ? action.from : destruct ? action.address : undefined;
    const raw = call ? action.value : destruct ? action.balance : undefined;
    const value = raw ? BigInt(raw) : 0n;
    if (!from || !same(to, treasury) || value <= 0n) continue;
    const succeeded = !failed.some((prefix) => under(trace.traceAddress, prefix));
    out.push({ txHash, ordinal: out.length, from: getAddress(from), value, succeeded });
  }
  return out;
}

function groupByTransaction(traces: z.infer<typeof parityTrace>[]): Map<string, z.infer<typeof parityTrace>[]> {
  const byTx = new Map<string, z.infer<typeof parityTrace>[]>();
  for (const trace of traces) {
    if (!trace.transactionHash) continue; // block rewards
    const key = trace.transactionHash.toLowerCase();
    byTx.set(key, [...(byTx.get(key) ?? []), trace]);
  }
  return byTx;
}

/**
 * Every value transfer to `treasury` in a block, its transactions' hashes given in block order (from the
 * block read by number). The answer must be about that very block — the same transactions in the same
 * order, or the same block hash — else {@link TraceMismatchError}.
 */
export async function tracedTransfersInBlock(
  client: PublicClient,
  api: TraceApi,
  block: { number: bigint; hash: Hash; transactions: readonly Hash[] },
  treasury: Address,
): Promise<TracedTransfer[]> {
  if (block.transactions.length === 0) return [];
  if (api === "debug_traceBlockByNumber") {
    const traced = debugBlockTrace.parse(await rpc(client, api, [toHex(block.number), { tracer: "callTracer" }]));
    if (traced.length !== block.transactions.length) throw new TraceMismatchError(`trace of block ${block.number} has ${traced.length} transactions, the block ${block.transactions.length}`);
    return traced.flatMap((entry, i) => {
      const txHash = block.transactions[i] as Hash;
      if (entry.txHash !== undefined && !same(entry.txHash, txHash)) throw new TraceMismatchError(`trace of block ${block.number} is of another chain`);
      return transfersInCallTree(entry.result, txHash, treasury);
    });
  }
  const traces = parityTraces.parse(await rpc(client, api, [toHex(block.number)]));
  if (traces.some((t) => t.blockHash && !same(t.blockHash, block.hash))) throw new TraceMismatchError(`trace of block ${block.number} is of another chain`);
  const byTx = groupByTransaction(traces);
  return block.transactions.flatMap((txHash) => transfersInParityTraces(byTx.get(txHash.toLowerCase()) ?? [], txHash, treasury));
}

/** Every value transfer to `treasury` in one mined transaction (for re-reading a deposit by its transaction). */
export async function tracedTransfersInTransaction(client: PublicClient, api: TraceApi, txHash: Hash, treasury: Address): Promise<TracedTransfer[]> {
  if (api === "debug_traceBlockByNumber") {
    const root = callFrame.parse(await rpc(client, "debug_traceTransaction", [txHash, { tracer: "callTracer" }]));
    return transfersInCallTree(root, txHash, treasury);
  }
  return transfersInParityTraces(parityTraces.parse(await rpc(client, "trace_transaction", [txHash])), txHash, treasury);
}

/** True when the error is the node's answer (a JSON-RPC error or a 4xx), not a failure to reach it. */
function isRefusal(error: unknown): boolean {
  if (error instanceof BaseError) {
    if (error.walk((e) => e instanceof RpcRequestError)) return true;
    const http = error.walk((e) => e instanceof HttpRequestError) as HttpRequestError | null;
    if (http?.status !== undefined && http.status >= 400 && http.status < 500) return true;
  }
  return error instanceof z.ZodError;
}

/**
 * Which tracing method the node answers, tried on its latest block: the call tracer first, then
 * `trace_block`; undefined when it refuses both. An unreachable node throws (ask again later).
 */
export async function detectTraceApi(client: PublicClient): Promise<TraceApi | undefined> {
  const latest = await client.getBlockNumber({ cacheTime: 0 });
  for (const api of ["debug_traceBlockByNumber", "trace_block"] as const) {
    try {
      if (api === "debug_traceBlockByNumber") debugBlockTrace.parse(await rpc(client, api, [toHex(latest), { tracer: "callTracer" }]));
      else parityTraces.parse(await rpc(client, api, [toHex(latest)]));
      return api;
    } catch (error) {
      if (isRefusal(error)) continue;
      throw error;
    }
  }
  return undefined;
}
