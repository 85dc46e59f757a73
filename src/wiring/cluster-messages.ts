/**
 * Messages between the cluster's processes (cluster-primary.ts, cluster-worker.ts): a worker says
 * it serves and is answered with the address clients use; the primary hands each worker its share
 * of the connections, and each worker says it took each; an account's BYOK keys changed in one
 * process, so every other drops its kept copy at once; and once every process serves, the primary
 * tells the workers. With the process count following the load (process-scaling.ts) each worker
 * reports its load every second, and the primary asks workers to let go of their connections (one
 * more process joined) or to retire (the load no longer needs it).
 */
/** Set by the primary in each worker it forks: the worker's number. */
export const CLUSTER_WORKER_ENV = "FAREBOX_CLUSTER_WORKER";

export const BYOK_CHANGED = "farebox:byok-changed";
export const WORKER_SERVING = "farebox:worker-serving";
export const SERVING_AT = "farebox:serving-at";
export const CONNECTION = "farebox:connection";
export const CONNECTION_TAKEN = "farebox:connection-taken";
export const EVERY_WORKER_LISTENING = "farebox:every-worker-listening";
export const LOAD = "farebox:load";
export const RELEASE = "farebox:release";
export const RETIRE = "farebox:retire";

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

/** Sent with a connection's socket (the primary keeps its copy open): the worker serves it from here on, and says so with `ConnectionTaken`. */
export interface Connection {
  type: typeof CONNECTION;
  id: number;
}

/** The worker received connection `id`: the primary closes its copy (cluster-primary.ts, hand). */
export interface ConnectionTaken {
  type: typeof CONNECTION_TAKEN;
  id: number;
}

export interface EveryWorkerListening {
  type: typeof EVERY_WORKER_LISTENING;
}

/** A worker's load over the last second: its event-loop utilization (0 to 1). */
export interface Load {
  type: typeof LOAD;
  utilization: number;
}

/** One more process serves: let go of the open connections (each closes after its next response), so that their clients' new ones spread over every process. */
export interface Release {
  type: typeof RELEASE;
}

/** The load no longer needs this worker: it gets no more connections, lets go of all it has, and exits once they have closed. */
export interface Retire {
  type: typeof RETIRE;
}

export type ClusterMessage = ByokChanged | WorkerServing | ServingAt | Connection | ConnectionTaken | EveryWorkerListening | Load | Release | Retire;

/** `message` as one of the cluster's messages of that `type`, else undefined. */
export function clusterMessage<T extends ClusterMessage["type"]>(message: unknown, type: T): Extract<ClusterMessage, { type: T }> | undefined {
  if (typeof message !== "object" || message === null || (message as ClusterMessage).type !== type) return undefined;
  if (type === BYOK_CHANGED && typeof (message as ByokChanged).accountId !== "string") return undefined;
  if (type === SERVING_AT && typeof (message as ServingAt).address !== "string") return undefined;
  if (type === LOAD && !isShare((message as Load).utilization)) return undefined;
  if ((type === CONNECTION || type === CONNECTION_TAKEN) && !Number.isSafeInteger((message as Connection | ConnectionTaken).id)) return undefined;
  return message as Extract<ClusterMessage, { type: T }>;
}

/** A number from 0 to 1. */
function isShare(value: unknown): value is number {
  return typeof value === "number" && value >= 0 && value <= 1;
}
