/**
 * Every core serving, on PostgreSQL: the process `npm start` runs is a gateway process and the
 * cluster's primary. It forks one more gateway process per other core (the workers), accepts every
 * connection on the port and hands them in turn to itself and to each worker that serves (round
 * robin per connection, as node:cluster does, but with the primary serving its share: a process
 * fewer, bench/RESULTS.md "A process fewer"), relays an account's BYOK change to every other
 * process, replaces a worker that dies, and on SIGTERM or SIGINT stops accepting, lets every
 * process drain its in-flight requests, and exits once all have. All of them are ordinary gateway
 * processes on one PostgreSQL (the ledger's holds and the chain listeners' advisory locks already
 * make that safe).
 *
 * Each time every process serves (at start, and again once a replacement does) the primary tells
 * the workers; until then /ready answers 503 everywhere. Connections go only to processes already
 * serving, so a load balancer let in by an early /ready would keep every connection it opens on
 * those few. A crash of the primary ends the gateway: the workers, their link gone, drain and exit.
 */
import { fork, type ChildProcess } from "node:child_process";
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { pino, type Logger } from "pino";
import type { FastifyInstance } from "fastify";
import { BYOK_CHANGED, CLUSTER_WORKER_ENV, CONNECTION, EVERY_WORKER_LISTENING, SERVING_AT, WORKER_SERVING, clusterMessage, type ClusterMessage } from "./cluster-messages.js";
import type { ConnectionSource } from "./connection-source.js";
import { HandedConnections } from "./handed-connections.js";

export class ClusterPrimary {
  private readonly workers = new Set<ChildProcess>();
  private readonly everServed = new WeakSet<ChildProcess>();
  /** Workers serving, in the order connections are handed out (the primary itself takes every turn 0). */
  private serving: ChildProcess[] = [];
  private waitingForAddress: ChildProcess[] = [];
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

  /** `count` gateway processes in all, this one included. */
  private constructor(
    private readonly count: number,
    private readonly log: Logger,
  ) {}

  /**
   * Forks the workers at once, before this process loads the gateway, so that they load while it
   * does: /ready comes when the last process serves. LOG_LEVEL as the configuration will read it
   * (a name it refuses logs at info here; the configuration check then reports it).
   */
  static start(count: number, env: Record<string, string | undefined>): ClusterPrimary {
    const level = env.LOG_LEVEL ?? "info";
    const log = pino({ level: level in pino.levels.values || level === "silent" ? level : "info" }).child({ worker: 1 });
    const primary = new ClusterPrimary(count, log);
    log.info({ workers: count }, `starting ${count - 1} more gateway ${count === 2 ? "process" : "processes"}: ${count} on PostgreSQL, one per core (FAREBOX_WORKERS sets another count)`);
    for (let i = 1; i < count; i += 1) primary.fork();
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
      front.listen(this.listen!.port, this.listen!.host, () => {
        front.off("error", reject);
        resolve();
      });
    });
    this.address = httpAddress(front.address() as AddressInfo);
    this.welcomeWaiting();
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
    worker.send({ type: CONNECTION } satisfies ClusterMessage, socket, (error) => {
      // the worker went away before it took the socket: serve it here
      if (error && !socket.destroyed) this.handed.serve(socket);
    });
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
    worker.on("message", (message: unknown) => {
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
    if (this.address === undefined || this.stopping || this.waitingForAddress.length === 0) return;
    for (const worker of this.waitingForAddress) {
      if (!worker.connected) continue;
      worker.send({ type: SERVING_AT, address: this.address } satisfies ClusterMessage);
      this.serving.push(worker);
    }
    this.waitingForAddress = [];
    if (this.serving.length !== this.count - 1) return;
    this.log.info({ workers: this.count }, "every worker is listening");
    this.sendAll({ type: EVERY_WORKER_LISTENING });
    this.everyWorkerServing?.();
  }

  private exited(worker: ChildProcess, id: number, code: number | null, signal: NodeJS.Signals | null): void {
    this.workers.delete(worker);
    this.serving = this.serving.filter((each) => each !== worker);
    this.waitingForAddress = this.waitingForAddress.filter((each) => each !== worker);
    if (this.stopping) {
      if (this.workers.size === 0) this.allExited?.();
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
