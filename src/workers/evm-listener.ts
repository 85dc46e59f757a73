/**
 * The long-running deposit listener of one EVM chain: a pull loop from the persisted cursor, every
 * `pollIntervalMs`, woken sooner by an optional new-head subscription (a hint only; credits always come
 * from the pull). Stops when `signal` aborts. Only one process works a chain at a time (advisory lock
 * taken per pass), so every gateway process may run it.
 */
import { syncEvmChain, type EvmSyncDeps, type SyncResult } from "../deposits/evm-sync.js";
import type { ListenerReporter } from "./listener-status.js";

/** Options for one chain's listener. */
export interface EvmListenerOptions {
  deps: EvmSyncDeps;
  pollIntervalMs: number;
  signal: AbortSignal;
  /** Subscribes to new heads (e.g. viem watchBlockNumber over a WebSocket); returns an unsubscribe. */
  subscribeHeads?: (onHead: () => void) => () => void;
  /** Told the head and cursor after each successful pass (a pass that found another process working the chain reports nothing). */
  status?: ListenerReporter;
  onPass?: (result: SyncResult) => void;
  onError?: (error: unknown) => void;
}

/** Waits `ms` or until woken or aborted. */
function pause(ms: number, signal: AbortSignal, setWake: (wake: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      setWake(() => undefined);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    setWake(done);
  });
}

/** Runs the listener until `signal` aborts; resolves once the current pass has finished. */
export async function runEvmListener(options: EvmListenerOptions): Promise<void> {
  const { signal } = options;
  let wake: () => void = () => undefined;
  let pendingWake = false;
  const unsubscribe = options.subscribeHeads?.(() => {
    pendingWake = true;
    wake();
  });
  try {
    while (!signal.aborted) {
      pendingWake = false;
      try {
        const result = await syncEvmChain(options.deps);
        if (result.kind !== "locked_elsewhere") options.status?.passSucceeded(result.headBlock, result.cursor.block);
        options.onPass?.(result);
      } catch (error) {
        options.onError?.(error);
      }
      if (signal.aborted) break;
      if (!pendingWake) await pause(options.pollIntervalMs, signal, (w) => (wake = w));
    }
  } finally {
    unsubscribe?.();
  }
}
