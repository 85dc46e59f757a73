/** A cluster worker's side of the messages with the primary (see cluster-primary.ts). */
import type { Socket } from "node:net";
import { BYOK_CHANGED, CLUSTER_WORKER_ENV, CONNECTION, CONNECTION_TAKEN, EVERY_WORKER_LISTENING, LOAD, RELEASE, RETIRE, SERVING_AT, WORKER_SERVING, clusterMessage, type ClusterMessage } from "./cluster-messages.js";
import type { ConnectionSource } from "./connection-source.js";
import { HandedConnections } from "./handed-connections.js";
import { loopUtilization } from "./process-scaling.js";

// how often a worker tells the primary its load (process-scaling.ts judges it each second)
const LOAD_REPORT_MS = 1_000;

/** This process's worker number when the cluster's primary forked it (it has the IPC link), else undefined. */
export function clusterWorkerId(): number | undefined {
  const id = process.env[CLUSTER_WORKER_ENV];
  return id !== undefined && process.send !== undefined ? Number(id) : undefined;
}

/** The BYOK cache's link: this worker's changes told to the others (through the primary), theirs received. */
export const workerByokLink = {
  announce(accountId: string): void {
    process.send?.({ type: BYOK_CHANGED, accountId } satisfies ClusterMessage);
  },
  onRemoteChange(forget: (accountId: string) => void): void {
    process.on("message", (message: unknown) => {
      const changed = clusterMessage(message, BYOK_CHANGED);
      if (changed) forget(changed.accountId);
    });
  },
};

/** `listening` is called when the primary says every process serves (again after a replacement). */
export function onEveryWorkerListening(listening: () => void): void {
  process.on("message", (message: unknown) => {
    if (clusterMessage(message, EVERY_WORKER_LISTENING)) listening();
  });
}

/**
 * In a worker, from its start: once the link to the primary goes (it crashed or was killed), no
 * connection can come any more, so the worker drains and exits as on SIGTERM (or, still starting,
 * ends at once).
 */
export function stopWhenPrimaryGone(): void {
  const stop = () => process.kill(process.pid, "SIGTERM");
  if (process.connected) process.once("disconnect", stop);
  else stop();
}

/**
 * A worker's connections: those the primary hands it. Once the app is ready the worker says it
 * serves, and the primary answers with the address clients use (once its port listens). From then
 * on it reports its load every second; asked to, it lets go of its connections (another process
 * joined), or retires: it lets go of all of them and, once they have closed, drains and
 * exits as on SIGTERM.
 */
export function workerConnections(): ConnectionSource {
  const handed = new HandedConnections();
  return {
    async open(app) {
      handed.serveWith(app.server);
      const address = new Promise<string>((resolve) => {
        process.on("message", (message: unknown, socket?: Socket) => {
          const connection = clusterMessage(message, CONNECTION);
          if (connection && socket) {
            handed.serve(socket);
            process.send?.({ type: CONNECTION_TAKEN, id: connection.id } satisfies ClusterMessage);
            return;
          }
          if (clusterMessage(message, RELEASE)) handed.releaseOpen();
          if (clusterMessage(message, RETIRE)) void handed.releaseAll().then(() => process.kill(process.pid, "SIGTERM"));
          const servingAt = clusterMessage(message, SERVING_AT);
          if (servingAt) resolve(servingAt.address);
        });
      });
      process.send?.({ type: WORKER_SERVING } satisfies ClusterMessage);
      reportLoad();
      return address;
    },
    close: async () => 0,
    ended: () => handed.ended(),
  };
}

function reportLoad(): void {
  const utilization = loopUtilization();
  setInterval(() => {
    if (process.connected) process.send?.({ type: LOAD, utilization: utilization() } satisfies ClusterMessage);
  }, LOAD_REPORT_MS).unref();
}
