/**
 * Every core serving, on PostgreSQL: the process `npm start` runs is a gateway process and the
 * cluster's primary. It forks more gateway processes (the workers, up to one per other core),
 * accepts every connection on the port and hands them in turn to itself and to each worker that
 * serves (round robin per connection, as node:cluster does, but with the primary serving its share:
 * a process fewer, bench/RESULTS.md "A process fewer"), relays an account's BYOK change to every
 * other process, and on SIGTERM or SIGINT stops accepting, lets every process drain its in-flight
 * requests, and exits once all have. All of them are ordinary gateway processes on one PostgreSQL
 * (the ledger's holds and the chain listeners' advisory locks already make that safe).
 *
 * With FAREBOX_WORKERS=auto (the default) the count follows the load (process-scaling.ts): the
 * primary serves alone at first and starts a worker while the processes serving are busy and the
 * machine has a core idle for it. A worker joining the others would only get new connections, while
 * a client's keep-alive connections stay where they are (and a client's pool sends most requests on
 * its first ones), so every process then lets go of its connections (each closes after its next
 * response) and the client's new ones are handed in turn to all, the newcomer included. A worker
 * the load has not needed for a while retires: it is handed nothing more, lets go of its
 * connections, and exits once they have closed.
 * A worker that dies is not replaced: the load decides whether another starts.
 *
 * With a fixed count (FAREBOX_WORKERS=N) they all start at once and a worker that dies is replaced.
 * Each time every process serves (at start, and again once a replacement does) the primary tells
 * the workers; until then /ready answers 503 everywhere. Connections go only to processes already
 * serving, so a load balancer let in by an early /ready would keep every connection it opens on
 * those few. A crash of the primary ends the gateway: the workers, their link gone, drain and exit.
 */
import { fork, type ChildProcess } from "node:child_process";
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { pino, type Logger } from "pino";
import type { FastifyInstance } from "fastify";
import type { ProcessPlan } from "../config/process-count.js";
import { BYOK_CHANGED, CLUSTER_WORKER_ENV, CONNECTION, CONNECTION_TAKEN, EVERY_WORKER_LISTENING, LOAD, RELEASE, RETIRE, SERVING_AT, WORKER_SERVING, clusterMessage, type ClusterMessage } from "./cluster-messages.js";
import { LISTEN_BACKLOG, type ConnectionSource } from "./connection-source.js";
import { HandedConnections } from "./handed-connections.js";
import { idleCores, loopUtilization, ProcessScaling } from "./process-scaling.js";

// how often the load is judged (process-scaling.ts); the workers report theirs as often
const SCALING_TICK_MS = 1_000;
// a worker started for the load that failed to start: the load is not judged again for this long
const START_FAILED_PAUSE_MS = 60_000;

export class ClusterPrimary {
  private readonly workers = new Set<ChildProcess>();
  private readonly everServed = new WeakSet<ChildProcess>();
  /** Workers serving, in the order connections are handed out (the primary itself takes every turn 0). */
  private serving: ChildProcess[] = [];
  private waitingForAddress: ChildProcess[] = [];
  /** Workers the load no longer needs, letting go of their connections before they exit. */
  private readonly retiring = new WeakSet<ChildProcess>();
  private readonly utilizations = new WeakMap<ChildProcess, number>();
  /** Sockets handed to each worker that it has not said it took, by connection id (takeBack). */
  private readonly inTransit = new WeakMap<ChildProcess, Map<number, Socket>>();
  private nextConnectionId = 0;
  /** Gateway processes wanted now, this one included: fixed, or as the load needs (process-scaling.ts). */
  private wanted: number;
  private readonly scaling: ProcessScaling | undefined;
  private scalingTimer: NodeJS.Timeout | undefined;
  private nextWorkerId = 2;
  private turn = 0;
  private front: Server | undefined;
  private readonly handed = new HandedConnections();
  private address: string | undefined;
  private stopping = false;
  private exitCode = 0;
  private allExited: (() => void) | undefined;
  private forgetByok: ((accountId: string) => void) | undefined;
  private everyWorkerServing: (() => void) | undefined;
  private listen: { port: number; host: string } | undefined;

  private constructor(
    plan: ProcessPlan,
    private readonly log: Logger,
  ) {
    this.wanted = plan.followsLoad ? 1 : plan.most;
    this.scaling = plan.followsLoad ? new ProcessScaling(plan.most, plan.busy, plan.idleMs, plan.spareCores) : undefined;
  }

  /**
   * Forks the workers wanted from the start at once, before this process loads the gateway, so that
   * they load while it does: /ready comes when the last process serves. LOG_LEVEL as the
   * configuration will read it (a name it refuses logs at info here; the configuration check then
   * reports it).
   */
  static start(plan: ProcessPlan, env: Record<string, string | undefined>): ClusterPrimary {
    const level = env.LOG_LEVEL ?? "info";
    const log = pino({ level: level in pino.levels.values || level === "silent" ? level : "info" }).child({ worker: 1 });
    const primary = new ClusterPrimary(plan, log);
    if (plan.followsLoad) {
      log.info({ workers: 1, most: plan.most }, `starting with 1 gateway process on PostgreSQL, more while the load needs them, up to ${plan.most} (one per core; FAREBOX_WORKERS sets a fixed count)`);
    } else {
      const more = plan.most - 1;
      log.info({ workers: plan.most }, `starting ${more} more gateway ${more === 1 ? "process" : "processes"}: ${plan.most} on PostgreSQL (FAREBOX_WORKERS)`);
    }
    for (let i = 1; i < primary.wanted; i += 1) primary.fork();
    return primary;
  }

  /** The BYOK cache's link: this process's changes told to every worker, theirs received. */
  readonly byokLink = {
    announce: (accountId: string) => this.sendAll({ type: BYOK_CHANGED, accountId }),
    onRemoteChange: (forget: (accountId: string) => void) => {
      this.forgetByok = forget;
    },
  };

  /** Registers what to call each time every process serves (this process's /ready). */
  onEveryWorkerListening(listening: () => void): void {
    this.everyWorkerServing = listening;
  }

  /** This process's connections: every connection on `listen`'s port, handed out in turn. */
  connectionsOn(listen: { port: number; host: string }): ConnectionSource {
    this.listen = listen;
    return {
      open: (app) => this.open(app),
      close: () => this.close(),
      ended: () => this.handed.ended(),
    };
  }

  private async open(app: FastifyInstance): Promise<string> {
    this.handed.serveWith(app.server);
    // noDelay as node's HTTP server sets it on what it accepts (only the accepting server applies it;
    // a handed socket keeps it). Without it, PROFILE_WORKERS=2 PROFILE_RATE=1000 npm run bench:profile
    // had a p50 above node:cluster's in 3 pairs of 3 (2.8–6.2 against 1.8–4.4 ms), with it below (1.6–4.9 against 4.3–7.7)
    const front = createServer({ pauseOnConnect: true, noDelay: true }, (socket) => this.hand(socket));
    this.front = front;
    await new Promise<void>((resolve, reject) => {
      front.once("error", reject);
      front.listen({ port: this.listen!.port, host: this.listen!.host, backlog: LISTEN_BACKLOG }, () => {
        front.off("error", reject);
        resolve();
      });
    });
    this.address = httpAddress(front.address() as AddressInfo);
    this.welcomeWaiting();
    if (this.scaling) this.followLoad(this.scaling);
    return this.address;
  }

  private hand(socket: Socket): void {
    const turn = this.turn++ % (this.serving.length + 1);
    const worker = this.serving[turn - 1];
    if (!worker?.connected) {
      this.handed.serve(socket);
      return;
    }
    // a client resetting while its socket is on the way would otherwise be an uncaught error here
    socket.on("error", () => socket.destroy());
    const id = this.nextConnectionId++;
    const inTransit = this.inTransit.get(worker)!;
    inTransit.set(id, socket);
    // keepOpen: this process closes its copy only once the worker says it took the socket (taken)
    worker.send({ type: CONNECTION, id } satisfies ClusterMessage, socket, { keepOpen: true }, (error) => {
      // the worker went away before it took the socket: serve it here
      if (error && inTransit.delete(id) && !socket.destroyed) this.handed.serve(socket);
    });
  }

  /** The worker took connection `id`: this process's copy of the socket is closed (the connection stays open in the worker). */
  private taken(worker: ChildProcess, id: number): void {
    const inTransit = this.inTransit.get(worker);
    inTransit?.get(id)?.destroy();
    inTransit?.delete(id);
  }

  /**
   * A worker died with sockets on their way to it. Node sends a process one socket at a time, each
   * once the previous one is acknowledged, and drops that queue without calling back when the process
   * dies; the socket sent last, it holds open. A socket the worker never said it took was never read
   * there: it is served here, where it would otherwise hang its client.
   */
  private takeBack(worker: ChildProcess): void {
    for (const socket of this.inTransit.get(worker)?.values() ?? []) {
      if (!socket.destroyed) this.handed.serve(socket);
    }
    this.inTransit.delete(worker);
  }

  private fork(): void {
    const id = this.nextWorkerId++;
    const worker = fork(process.argv[1]!, process.argv.slice(2), {
      // node's flags (the young generation's size, tsx), but not the inspector: a worker would take the
      // primary's debug port, or with --inspect-brk wait for a debugger before it serves
      execArgv: process.execArgv.filter((flag) => !/^--inspect(-brk|-wait|-port)?(=|$)/.test(flag)),
      env: { ...process.env, [CLUSTER_WORKER_ENV]: String(id) },
    });
    this.workers.add(worker);
    this.inTransit.set(worker, new Map());
    worker.on("message", (message: unknown) => {
      const taken = clusterMessage(message, CONNECTION_TAKEN);
      if (taken) {
        this.taken(worker, taken.id);
        return;
      }
      const load = clusterMessage(message, LOAD);
      if (load) {
        this.utilizations.set(worker, load.utilization);
        return;
      }
      if (clusterMessage(message, WORKER_SERVING)) {
        this.everServed.add(worker);
        this.waitingForAddress.push(worker);
        this.welcomeWaiting();
        return;
      }
      const changed = clusterMessage(message, BYOK_CHANGED);
      if (changed) {
        this.forgetByok?.(changed.accountId);
        this.sendAll(changed, worker);
      }
    });
    worker.once("exit", (code, signal) => this.exited(worker, id, code, signal));
  }

  /** Tells each worker waiting to serve the address, once this process listens, and puts it in the turn. */
  private welcomeWaiting(): void {
    if (this.address === undefined || this.stopping) return;
    for (const worker of this.waitingForAddress) {
      if (!worker.connected) continue;
      worker.send({ type: SERVING_AT, address: this.address } satisfies ClusterMessage);
      if (this.scaling) this.shareConnectionsWith(this.scaling);
      this.serving.push(worker);
    }
    this.waitingForAddress = [];
    if (this.serving.length !== this.wanted - 1) return;
    if (this.wanted > 1) this.log.info({ workers: this.wanted }, "every worker is listening");
    this.sendAll({ type: EVERY_WORKER_LISTENING });
    this.everyWorkerServing?.();
  }

  /**
   * Every second: starts another process while the load needs it and the machine has a core idle
   * for it, retires the last worker once the load has long fit in one fewer (process-scaling.ts).
   */
  private followLoad(scaling: ProcessScaling): void {
    const ownUtilization = loopUtilization();
    const machineIdle = idleCores();
    this.scalingTimer = setInterval(() => {
      // a worker that joined less than a second ago has not reported yet: idle, as it is
      const utilizations = [ownUtilization(), ...this.serving.map((worker) => this.utilizations.get(worker) ?? 0)];
      const starting = this.waitingForAddress.length > 0 || [...this.workers].some((worker) => !this.everServed.has(worker));
      const idle = machineIdle();
      const step = scaling.decide(performance.now(), utilizations, starting, idle);
      const reading = { utilization: utilizations.map((each) => Number(each.toFixed(2))), idleCores: Number(idle.toFixed(2)) };
      this.log.debug({ ...reading, starting }, "load");
      if (step === "in") {
        this.retireLast(scaling);
      } else if (step === "no room") {
        this.log.info(reading, "the load needs more gateway processes, but the machine has fewer idle cores than FAREBOX_WORKER_SPARE_CORES: none starts while it has not");
      } else if (step) {
        this.wanted += step.out;
        this.log.info({ workers: this.wanted, ...reading }, `the load needs more gateway processes: starting ${step.out}`);
        for (let i = 0; i < step.out; i += 1) this.fork();
      }
    }, SCALING_TICK_MS).unref();
  }

  /**
   * A worker joins the turn: every process serving lets go of its connections (each closes after
   * its next response), so that a client's new ones are handed in turn to every process, the
   * newcomer included (bench/RESULTS.md "Processes that follow the load": letting go of a share
   * left most requests where they were).
   */
  private shareConnectionsWith(scaling: ProcessScaling): void {
    this.handed.releaseOpen();
    this.sendAll({ type: RELEASE });
    scaling.changed(performance.now());
  }

  /** The last worker to join is handed nothing more, lets go of its connections and exits once they have closed. */
  private retireLast(scaling: ProcessScaling): void {
    const worker = this.serving.pop();
    if (!worker) return;
    this.retiring.add(worker);
    this.wanted -= 1;
    worker.send({ type: RETIRE } satisfies ClusterMessage);
    this.log.info({ workers: this.wanted, pid: worker.pid }, "the load no longer needs a gateway process: one retires once its connections have closed");
    scaling.changed(performance.now());
  }

  private exited(worker: ChildProcess, id: number, code: number | null, signal: NodeJS.Signals | null): void {
    this.takeBack(worker);
    this.workers.delete(worker);
    this.serving = this.serving.filter((each) => each !== worker);
    this.waitingForAddress = this.waitingForAddress.filter((each) => each !== worker);
    if (this.stopping) {
      if (this.workers.size === 0) this.allExited?.();
      return;
    }
    if (this.retiring.has(worker)) {
      this.log.info({ worker: id, code }, "a worker retired");
      return;
    }
    if (this.scaling) {
      // the load decides whether another starts; one that could not start is not tried again at once
      this.wanted -= 1;
      const started = this.everServed.has(worker);
      this.log.error({ worker: id, code, signal }, started ? "a worker exited" : "a worker exited before it was ready");
      this.scaling.changed(performance.now(), started ? undefined : START_FAILED_PAUSE_MS);
      return;
    }
    if (!this.everServed.has(worker)) {
      // it could not start (a bad database, a crash while starting): another try would fail alike
      this.log.fatal({ worker: id, code, signal }, "a worker exited before it was ready; stopping");
      this.exitCode = 1;
      process.kill(process.pid, "SIGTERM");
      return;
    }
    this.log.error({ worker: id, code, signal }, "a worker exited; starting another");
    this.fork();
  }

  private close(): Promise<number> {
    this.stopping = true;
    clearInterval(this.scalingTimer);
    this.front?.close();
    for (const worker of this.workers) worker.kill("SIGTERM");
    if (this.workers.size === 0) return Promise.resolve(this.exitCode);
    return new Promise((resolve) => {
      this.allExited = () => resolve(this.exitCode);
    });
  }

  private sendAll(message: ClusterMessage, except?: ChildProcess): void {
    for (const worker of this.workers) {
      if (worker !== except && worker.connected) worker.send(message);
    }
  }
}

/** The address clients use, as fastify's listen reports it (a wildcard host as the loopback). */
function httpAddress({ address, family, port }: AddressInfo): string {
  if (family === "IPv6") return `http://[${address === "::" ? "::1" : address}]:${port}`;
  return `http://${address === "0.0.0.0" ? "127.0.0.1" : address}:${port}`;
}
