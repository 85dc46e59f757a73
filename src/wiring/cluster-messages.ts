/**
 * Messages between the cluster's processes: the one a worker sends the others (through the
 * primary) when an account's BYOK keys changed, so each drops its kept copy at once; and the one
 * the primary sends every worker once all of them listen.
 */
export const BYOK_CHANGED = "farebox:byok-changed";

export interface ByokChanged {
  type: typeof BYOK_CHANGED;
  accountId: string;
}

export function isByokChanged(message: unknown): message is ByokChanged {
  return typeof message === "object" && message !== null && (message as ByokChanged).type === BYOK_CHANGED && typeof (message as ByokChanged).accountId === "string";
}

export const EVERY_WORKER_LISTENING = "farebox:every-worker-listening";

export interface EveryWorkerListening {
  type: typeof EVERY_WORKER_LISTENING;
}

export function isEveryWorkerListening(message: unknown): message is EveryWorkerListening {
  return typeof message === "object" && message !== null && (message as EveryWorkerListening).type === EVERY_WORKER_LISTENING;
}
