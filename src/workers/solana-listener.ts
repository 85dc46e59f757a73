/**
 * The Solana deposit listener loop: one scanner pass, then sleep until the poll interval
 * passes or an onLogs notification rings, with exponential backoff after a failed pass.
 * Persistence (credits + cursor in one transaction) is the store's job; this loop holds no
 * business rules. Nothing runs until `runSolanaListener` is called; it returns when the
 * signal aborts.
 */
import type { Connection } from "@solana/web3.js";
import { watchedAddresses } from "../chains/solana/assets.js";
import {
  scanSolanaDeposits,
  type SolanaScanBatch,
  type SolanaScanConfig,
  type SolanaScanCursor,
  type SolanaScanResult,
} from "../chains/solana/scanner.js";
import { subscribeWake } from "../chains/solana/wake.js";
import type { ListenerReporter } from "./listener-status.js";

/** Where the listener keeps its progress and puts what it observed. */
export interface SolanaListenerStore {
  loadCursor(): Promise<SolanaScanCursor>;
  /** Records the batch's deposits and its cursor atomically (unique keys make replays no-ops). */
  commitBatch(batch: SolanaScanBatch): Promise<void>;
  /** Credits deposits at or below `cursor` that waited for their asset's price, oldest first per asset. */
  creditWaiting(cursor: SolanaScanCursor): Promise<void>;
  /** Reference keys of open Solana Pay intents. */
  openReferences(): Promise<string[]>;
}

export interface SolanaListenerOptions {
  connection: Connection;
  scan: SolanaScanConfig;
  store: SolanaListenerStore;
  pollIntervalMs: number;
  maxBackoffMs?: number;
  /** Subscribe with onLogs to poll sooner (needs a websocket endpoint). */
  wakeOnLogs?: boolean;
  signal: AbortSignal;
  /** Told the head and processed slot after each successful pass. */
  status?: ListenerReporter;
  onPass?: (result: SolanaPassResult) => void;
  onError?: (error: unknown) => void;
}

/** What one pass did, and where it left the listener. */
export interface SolanaPassResult extends SolanaScanResult {
  /** The chain's newest (processed) slot when the pass began. */
  headSlot: number;
  /**
   * The slot the listener has handled everything through: the slot at its commitment when the
   * pass began if the pass completed, else the newest slot its cursor reached.
   */
  processedSlot: number;
}

/** One pass: load cursor and open references, scan, commit batch by batch, then credit what waited for a price. */
export async function runSolanaPass(
  connection: Connection,
  scan: SolanaScanConfig,
  store: SolanaListenerStore,
): Promise<SolanaPassResult> {
  // Slots are read before any signature is listed, so a complete pass has seen everything up to them.
  const [cursor, references, headSlot, readySlot] = await Promise.all([
    store.loadCursor(),
    store.openReferences(),
    connection.getSlot("processed"),
    connection.getSlot(scan.commitment),
  ]);
  const result = await scanSolanaDeposits(connection, scan, cursor, (batch) => store.commitBatch(batch), references);
  await store.creditWaiting(result.cursor);
  const newestCursorSlot = Math.max(0, ...Object.values(result.cursor).map((entry) => entry.slot));
  return { ...result, headSlot, processedSlot: result.complete ? readySlot : newestCursorSlot };
}

/** Runs passes until `signal` aborts. */
export async function runSolanaListener(options: SolanaListenerOptions): Promise<void> {
  const { signal } = options;
  let wakeUp: (() => void) | undefined;
  const wake = (): void => wakeUp?.();
  const unsubscribe =
    options.wakeOnLogs === true
      ? subscribeWake(options.connection, watchedAddresses(options.scan.treasury, options.scan.assets), options.scan.commitment, wake)
      : undefined;
  let failures = 0;
  try {
    while (!signal.aborted) {
      try {
        // Run the pass first: `onPass?.(await ...)` would skip the pass when no callback is given.
        const result = await runSolanaPass(options.connection, options.scan, options.store);
        options.status?.passSucceeded(BigInt(result.headSlot), BigInt(result.processedSlot));
        options.onPass?.(result);
        failures = 0;
      } catch (error) {
        failures += 1;
        options.onError?.(error);
      }
      const backoff = Math.min(options.maxBackoffMs ?? 60_000, options.pollIntervalMs * 2 ** failures);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, failures === 0 ? options.pollIntervalMs : backoff);
        function done(): void {
          clearTimeout(timer);
          signal.removeEventListener("abort", done);
          wakeUp = undefined;
          resolve();
        }
        // An onLogs wake-up never cuts a backoff short: a failing node is not hammered.
        if (failures === 0) wakeUp = done;
        signal.addEventListener("abort", done);
      });
    }
  } finally {
    await unsubscribe?.();
  }
}
