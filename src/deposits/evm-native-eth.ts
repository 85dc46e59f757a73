/**
 * Decides, once at start, how a chain's ETH deposits are read (chains/evm/native.ts): from the
 * receiver contract's logs, from traces when the node offers them (checked here), or top-level
 * transfers only — in which case the deposit API tells payers to send ETH from a regular account.
 */
import type { PublicClient } from "viem";
import { detectTraceApi } from "../chains/evm/traces.js";
import type { NativeVia } from "../chains/evm/native.js";
import { TOP_LEVEL_ONLY_NOTICE, type EvmDepositRuntime } from "./evm-chain.js";

/** How the chain's ETH will be read, and why (for the start-up log). */
export interface NativeEthDecision {
  via: NativeVia | undefined;
  reason: string;
}

/** Chooses how to read ETH for one chain's config; reads the chain (code at the treasury, trace support). */
export async function decideNativeEth(client: PublicClient, runtime: Pick<EvmDepositRuntime, "config" | "watch">): Promise<NativeEthDecision> {
  const { config, watch } = runtime;
  if (!watch.nativeSymbol) return { via: undefined, reason: "no native asset configured" };
  if (config.treasury_receiver) {
    const code = await client.getCode({ address: watch.treasury });
    if (code && code !== "0x") return { via: { kind: "receiver" }, reason: "treasury is a deposit receiver: ETH from any sender is read from its Deposit logs" };
    // Misconfigured: no contract there. Read it as a plain address rather than miss payments to it.
    const plain = await decideNativeEth(client, { config: { ...config, treasury_receiver: false }, watch });
    return { ...plain, reason: `treasury_receiver is set but ${watch.treasury} has no code on this chain; ${plain.reason}` };
  }
  if (config.internal_eth === "off") return { via: { kind: "top_level" }, reason: "internal_eth: off — ETH sent by contracts is not seen" };
  const api = await detectTraceApi(client);
  if (api) return { via: { kind: "traces", api }, reason: `the RPC answers ${api}: ETH from contracts is read from traces` };
  return { via: { kind: "top_level" }, reason: "the RPC offers neither debug_traceBlockByNumber nor trace_block — ETH sent by contracts is not seen" };
}

/** Applies a decision to the runtime: the listener's watch and the deposit API's notice. */
export function applyNativeEth(runtime: EvmDepositRuntime, decision: NativeEthDecision): void {
  if (!decision.via) return;
  runtime.watch.nativeVia = decision.via;
  if (decision.via.kind === "top_level") runtime.description.notice = TOP_LEVEL_ONLY_NOTICE;
  else delete runtime.description.notice;
}
