/**
 * Connections a process serves that its own port did not accept (in a cluster the primary accepts
 * every connection and hands each process its share). The HTTP server is given each one as node
 * documents (`server.emit("connection", socket)`), but then nothing waits for them when the app
 * closes: `server.close()` waits only for connections its own listener accepted, and fastify would
 * close the services (the upstream pool, the billing) under requests still running. So the app's
 * close waits for `ended()` (AppDeps.connectionsEnded).
 *
 * They can be let go (`releaseOpen`): each answers its next request with `Connection: close` and
 * then closes, so its client opens a new one, which the primary may hand elsewhere. Closing an idle
 * keep-alive connection instead would race a request the client is sending on it (a POST that
 * fails); `Connection: close` on a response cannot.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

// how often a drain looks for connections gone idle (their response written): a shutdown-only poll
const IDLE_CHECK_MS = 50;

export class HandedConnections {
  private readonly open = new Set<Socket>();
  private readonly closeAfterNextResponse = new Set<Socket>();
  private server: Server | undefined;
  private closing = false;
  private releasingAll = false;
  private allClosed: (() => void) | undefined;

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
    socket.once("close", () => this.forget(socket));
    this.server.emit("connection", socket);
    socket.resume();
    if (this.releasingAll) this.letGo(socket);
  }

  /** Lets go of every open connection: each closes after its next response (or its keep-alive timeout, when none comes). */
  releaseOpen(): void {
    for (const socket of this.open) this.letGo(socket);
  }

  /**
   * Lets go of every connection, open or handed from now on, and resolves once all have closed;
   * none is closed here.
   */
  async releaseAll(): Promise<void> {
    this.releasingAll = true;
    this.releaseOpen();
    if (this.open.size === 0) return;
    await new Promise<void>((resolve) => (this.allClosed = resolve));
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

  private letGo(socket: Socket): void {
    if (this.closeAfterNextResponse.has(socket)) return;
    this.closeAfterNextResponse.add(socket);
    // listened to only while some connection waits for its last request: nothing is added to the others'
    if (this.closeAfterNextResponse.size === 1) this.server?.prependListener("request", this.closeAfterResponse);
  }

  // runs before fastify's own 'request' listener, so no response has been started yet
  private readonly closeAfterResponse = (request: IncomingMessage, response: ServerResponse): void => {
    if (!this.closeAfterNextResponse.delete(request.socket)) return;
    response.shouldKeepAlive = false;
    if (this.closeAfterNextResponse.size === 0) this.server?.off("request", this.closeAfterResponse);
  };

  private forget(socket: Socket): void {
    this.open.delete(socket);
    if (this.closeAfterNextResponse.delete(socket) && this.closeAfterNextResponse.size === 0) this.server?.off("request", this.closeAfterResponse);
    if (this.open.size === 0) this.allClosed?.();
  }
}
