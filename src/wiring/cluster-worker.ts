/** A cluster worker's side of the messages between workers (see cluster-primary.ts). */
import { BYOK_CHANGED, isByokChanged, isEveryWorkerListening, type ByokChanged } from "./cluster-messages.js";

/** In a worker: tell the other workers (through the primary) that an account's BYOK keys changed. */
export function announceByokChange(accountId: string): void {
  process.send?.({ type: BYOK_CHANGED, accountId } satisfies ByokChanged);
}

/** In a worker: `forget` is called with each account whose keys another worker changed. */
export function onByokChangeElsewhere(forget: (accountId: string) => void): void {
  process.on("message", (message: unknown) => {
    if (isByokChanged(message)) forget(message.accountId);
  });
}

/** In a worker: `listening` is called when the primary says every worker listens (again after a replacement). */
export function onEveryWorkerListening(listening: () => void): void {
  process.on("message", (message: unknown) => {
    if (isEveryWorkerListening(message)) listening();
  });
}
