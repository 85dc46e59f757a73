/**
 * onLogs subscriptions as a doorbell: a notification mentioning a watched address only makes
 * the listener poll sooner. Credits always come from the cursor-driven pass (notifications
 * are dropped around reconnects and are not replayed, chains.md §3.2).
 */
import { PublicKey, type Connection, type Finality } from "@solana/web3.js";

/** Subscribes to logs mentioning each address; returns a function that unsubscribes all. */
export function subscribeWake(
  connection: Connection,
  addresses: string[],
  commitment: Finality,
  wake: () => void,
): () => Promise<void> {
  const ids = addresses.map((address) => connection.onLogs(new PublicKey(address), () => wake(), commitment));
  return async () => {
    await Promise.allSettled(ids.map((id) => connection.removeOnLogsListener(id)));
  };
}
