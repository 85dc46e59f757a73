/**
 * Where a gateway process's connections come from: its own listening port (alone), or the
 * cluster's primary, which accepts every connection and hands each process its share
 * (cluster-primary.ts, cluster-worker.ts).
 */
import type { FastifyInstance } from "fastify";

export interface ConnectionSource {
  /** Starts taking connections for `app` (built and ready); resolves with the address clients use. */
  open(app: FastifyInstance): Promise<string>;
  /**
   * Takes no new connection from now on (called as the process starts to drain, before the app
   * closes); resolves with the process's exit code once every other process it started has ended.
   */
  close(): Promise<number>;
  /**
   * Resolves once every connection the app's own server did not accept has ended: the app's close
   * waits for it before closing the services (AppDeps.connectionsEnded).
   */
  ended(): Promise<void>;
}

/**
 * The kernel's queue of connections waiting to be accepted (it caps this at net.core.somaxconn,
 * 4096 on current Linux). Node's default is 511: a burst of new connections while the event loop
 * is busy (a cold start under load, clients reconnecting at once) overflowed it, and each dropped
 * SYN waited 1, 3, 7 s... for the client's retransmission (bench/RESULTS.md, "A burst of new connections").
 */
export const LISTEN_BACKLOG = 65_535;

/** The process listens on the configured port itself; fastify's close drains its connections. */
export function ownPort({ port, host }: { port: number; host: string }): ConnectionSource {
  return {
    // a fresh object: fastify adds to the options it is given (the configuration is frozen)
    open: (app) => app.listen({ port, host, backlog: LISTEN_BACKLOG }),
    close: async () => 0,
    // fastify's close waits for the connections its server accepted
    ended: async () => {},
  };
}
