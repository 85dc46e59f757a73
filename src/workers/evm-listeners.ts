/** Starts one deposit listener per configured EVM chain; each stops when `signal` aborts. */
import { createPublicClient, webSocket } from "viem";
import type { Db } from "../db/client.js";
import { RangeSizer } from "../chains/evm/range.js";
import { runEvmListener } from "./evm-listener.js";
import { TOP_LEVEL_ONLY_NOTICE, type EvmDepositRuntime } from "../deposits/evm-chain.js";
import { applyNativeEth, decideNativeEth } from "../deposits/evm-native-eth.js";
import { setTimeout as sleep } from "node:timers/promises";
import type { ChainListenerStatus } from "./listener-status.js";

/** Minimal logger shape (fastify's logger fits). */
export interface ListenerLog {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

/** New heads over a WebSocket, used only to wake the pull loop sooner (never to credit). */
function headSubscription(wsUrl: string, chainId: number): (onHead: () => void) => () => void {
  return (onHead) => {
    const client = createPublicClient({
      chain: { id: chainId, name: `eip155:${chainId}`, nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [], webSocket: [wsUrl] } } },
      transport: webSocket(wsUrl),
    });
    return client.watchBlockNumber({ onBlockNumber: onHead, onError: () => undefined });
  };
}

/**
 * Decides how the chain's ETH is read before its first pass (asking again each poll interval while the
 * RPC cannot be reached) and logs the outcome. False when aborted first.
 */
async function settleNativeEth(runtime: EvmDepositRuntime, signal: AbortSignal, log: ListenerLog): Promise<boolean> {
  const chain = runtime.watch.chain;
  while (!signal.aborted) {
    try {
      const decision = await decideNativeEth(runtime.client, runtime);
      applyNativeEth(runtime, decision);
      if (decision.via?.kind === "top_level") log.warn({ chain, via: decision.via.kind }, `ETH deposits: ${decision.reason}; payers are told to ${TOP_LEVEL_ONLY_NOTICE}`);
      else log.info({ chain, via: decision.via?.kind ?? "none" }, `ETH deposits: ${decision.reason}`);
      return true;
    } catch (error) {
      log.warn({ chain, err: error }, "could not check how to read ETH deposits (RPC unreachable?); retrying");
      try {
        await sleep(runtime.config.poll_interval_ms, undefined, { signal });
      } catch {
        return false;
      }
    }
  }
  return false;
}

/** Runs every EVM chain's listener, each reporting its passes to `status`; the returned promises settle after abort. */
export function startEvmListeners(options: {
  db: Db;
  chains: readonly EvmDepositRuntime[];
  signal: AbortSignal;
  now: () => Date;
  log: ListenerLog;
  status?: ChainListenerStatus;
}): Promise<void>[] {
  return options.chains.map(async (runtime) => {
    const chain = runtime.watch.chain;
    const start = runtime.config.start_block;
    if (!(await settleNativeEth(runtime, options.signal, options.log))) return;
    return runEvmListener({
      deps: {
        db: options.db,
        client: runtime.client,
        watch: runtime.watch,
        confirmations: runtime.config.confirmations,
        sizer: new RangeSizer(BigInt(runtime.config.max_block_range)),
        valuer: runtime.valuer,
        now: options.now,
        startBlock: start === undefined ? undefined : BigInt(start),
        pendingMemo: {},
        onReversed: (depositId) =>
          options.log.error({ chain, depositId }, "a credited deposit's transaction left the chain; its credit was reversed (see audit:ledger -- --chain)"),
      },
      pollIntervalMs: runtime.config.poll_interval_ms,
      signal: options.signal,
      subscribeHeads: runtime.config.ws_url ? headSubscription(runtime.config.ws_url, runtime.config.chain_id) : undefined,
      status: options.status?.forChain(chain),
      onPass: (result) => {
        if (result.kind === "advanced" && (result.credited > 0 || result.parked > 0)) {
          options.log.info({ chain, block: result.cursor.block.toString(), credited: result.credited, parked: result.parked }, "deposits confirmed");
        } else if (result.kind === "stalled") {
          options.log.warn({ chain, reason: result.reason }, "deposit crediting waits for a usable price");
        } else if (result.kind === "rewound") {
          options.log.warn({ chain, block: result.cursor.block.toString() }, "chain reorganized below the cursor; rescanning");
        }
      },
      onError: (error) => options.log.error({ chain, err: error }, "deposit listener pass failed; retrying"),
    });
  });
}
