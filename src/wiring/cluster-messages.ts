/**
 * Messages between the cluster's processes (cluster-primary.ts, cluster-worker.ts): a worker says
 * it serves and is answered with the address clients use; the primary hands each worker its share
 * of the connections; an account's BYOK keys changed in one process, so every other drops its kept
 * copy at once; and once every process serves, the primary tells the workers.
 */
/** Set by the primary in each worker it forks: the worker's number. */
export const CLUSTER_WORKER_ENV = "FAREBOX_CLUSTER_WORKER";

export const BYOK_CHANGED = "farebox:byok-changed";
export const WORKER_SERVING = "farebox:worker-serving";
export const SERVING_AT = "farebox:serving-at";
export const CONNECTION = "farebox:connection";
export const EVERY_WORKER_LISTENING = "farebox:every-worker-listening";

export interface ByokChanged {
  type: typeof BYOK_CHANGED;
  accountId: string;
}

/** A worker's app is ready: from now on it can be handed connections. */
export interface WorkerServing {
  type: typeof WORKER_SERVING;
}

/** The primary's answer to WorkerServing, once its own port listens: the address clients use. */
export interface ServingAt {
  type: typeof SERVING_AT;
  address: string;
}

/** Sent with a connection's socket: the worker serves it from here on. */
export interface Connection {
  type: typeof CONNECTION;
}

export interface EveryWorkerListening {
  type: typeof EVERY_WORKER_LISTENING;
}

export type ClusterMessage = ByokChanged | WorkerServing | ServingAt | Connection | EveryWorkerListening;

/** `message` as one of the cluster's messages of that `type`, else undefined. */
export function clusterMessage<T extends ClusterMessage["type"]>(message: unknown, type: T): Extract<ClusterMessage, { type: T }> | undefined {
  if (typeof message !== "object" || message === null || (message as ClusterMessage).type !== type) return undefined;
  if (type === BYOK_CHANGED && typeof (message as ByokChanged).accountId !== "string") return undefined;
  if (type === SERVING_AT && typeof (message as ServingAt).address !== "string") return undefined;
  return message as Extract<ClusterMessage, { type: T }>;
}
