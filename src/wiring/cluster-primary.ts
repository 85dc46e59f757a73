/**
 * Every core serving: the primary process forks one gateway process per worker (node:cluster;
 * they share the listening port), relays what one worker must tell the others (an account's BYOK
 * keys changed), replaces a worker that dies, and on SIGTERM or SIGINT lets each worker drain its
 * in-flight requests before it exits. Workers are ordinary gateway processes on one PostgreSQL
 * (the ledger's holds and the chain listeners' advisory locks already make that safe).
 *
 * Each time every worker listens (at start, and again once a replacement listens) the primary
 * tells them all: until then a worker's /ready answers 503. The round robin hands connections only
 * to workers already listening, so a load balancer let in by the first worker's /ready would put
 * every connection it opens on that one worker, and keep-alive would keep them there.
 */
import cluster, { type Worker } from "node:cluster";
import { EVERY_WORKER_LISTENING, isByokChanged, type EveryWorkerListening } from "./cluster-messages.js";
import { primaryLog } from "./primary-log.js";

/** Runs the primary: `count` workers until a signal has drained them all; resolves never (exits). */
export function runPrimary(count: number, logLevel: string): void {
  const log = primaryLog(logLevel);
  log.info({ workers: count }, `starting ${count} workers on PostgreSQL (one per core; FAREBOX_WORKERS sets another count)`);
  let stopping = false;
  let exitCode = 0;
  let listening = 0;
  const everListened = new WeakSet<Worker>();

  const fork = () => {
    const worker = cluster.fork();
    worker.on("message", (message: unknown) => {
      if (!isByokChanged(message)) return;
      for (const other of Object.values(cluster.workers ?? {})) {
        if (other && other !== worker && other.isConnected()) other.send(message);
      }
    });
    worker.once("listening", () => {
      everListened.add(worker);
      listening += 1;
      if (listening !== count) return;
      log.info({ workers: count }, "every worker is listening");
      for (const each of Object.values(cluster.workers ?? {})) {
        if (each?.isConnected()) each.send({ type: EVERY_WORKER_LISTENING } satisfies EveryWorkerListening);
      }
    });
    worker.once("exit", (code, signal) => {
      if (everListened.has(worker)) listening -= 1;
      if (stopping) {
        if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(exitCode);
        return;
      }
      if (!everListened.has(worker)) {
        // it could not start (a port in use, a bad database): another try would fail alike
        log.fatal({ worker: worker.id, code, signal }, "a worker exited before it was ready; stopping");
        exitCode = 1;
        stop("SIGTERM");
        return;
      }
      log.error({ worker: worker.id, code, signal }, "a worker exited; starting another");
      fork();
    });
  };

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "draining every worker");
    const workers = Object.values(cluster.workers ?? {});
    if (workers.length === 0) process.exit(exitCode);
    for (const worker of workers) worker?.process.kill(signal);
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  for (let i = 0; i < count; i += 1) fork();
}
