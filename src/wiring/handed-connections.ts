/**
 * Connections a process serves that its own port did not accept (in a cluster the primary accepts
 * every connection and hands each process its share). The HTTP server is given each one as node
 * documents (`server.emit("connection", socket)`), but then nothing waits for them when the app
 * closes: `server.close()` waits only for connections its own listener accepted, and fastify would
 * close the services (the upstream pool, the billing) under requests still running. So the app's
 * close waits for `ended()` (AppDeps.connectionsEnded).
 */
import type { Server } from "node:http";
import type { Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

// how often a drain looks for connections gone idle (their response written): a shutdown-only poll
const IDLE_CHECK_MS = 50;

export class HandedConnections {
  private readonly open = new Set<Socket>();
  private server: Server | undefined;
  private closing = false;

  /** From now on, handed connections are served by `server` (the app's, ready, never listening itself). */
  serveWith(server: Server): void {
    this.server = server;
    // node's HTTP server starts tracking its connections on its 'listening' event: without it,
    // closeIdleConnections() does nothing and the request and headers timeouts are never checked
    server.emit("listening");
  }

  /** Serves `socket`, accepted elsewhere and not read yet (paused, or just received). */
  serve(socket: Socket): void {
    if (this.closing || !this.server) {
      socket.destroy();
      return;
    }
    this.open.add(socket);
    socket.once("close", () => this.open.delete(socket));
    this.server.emit("connection", socket);
    socket.resume();
  }

  /**
   * Resolves once every handed connection has ended; none is taken from now on. Called while the
   * app closes: fastify no longer routes (a request arriving now is answered 503 with `Connection:
   * close`), so each connection ends once its response is written.
   */
  async ended(): Promise<void> {
    this.closing = true;
    while (this.open.size > 0) {
      // a connection between two requests is idle and closed here; a busy one is left to finish
      this.server?.closeIdleConnections();
      await sleep(IDLE_CHECK_MS);
    }
  }
}
