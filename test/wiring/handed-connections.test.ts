/**
 * Connections accepted by one listener and served by an HTTP server that never listens (a cluster's
 * processes: the primary accepts, each serves its share): they are served, a client trickling its
 * headers is cut by the server's headers timeout as on a listening server, and closing waits for
 * the request in flight while an idle keep-alive connection is closed at once, not after its
 * keep-alive timeout. Connections let go of (a process joined, or this one retires) answer their
 * next request with `Connection: close` and close after it, never while idle.
 */
import { createServer as createHttpServer, request, Agent, type Server as HttpServer } from "node:http";
import { connect, createServer, type AddressInfo, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { HandedConnections } from "../../src/wiring/handed-connections.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("connections handed to an HTTP server", () => {
  let front: Server | undefined;
  let http: HttpServer | undefined;
  afterEach(() => {
    front?.close();
    http?.close();
  });

  /** A front listener handing every connection to an HTTP server answering after `answerMs`. */
  async function start(answerMs: number) {
    http = createHttpServer({ headersTimeout: 300, requestTimeout: 5_000, connectionsCheckingInterval: 50, keepAliveTimeout: 60_000 }, (_req, res) => {
      setTimeout(() => res.end("served"), answerMs);
    });
    http.keepAliveTimeout = 60_000;
    const handed = new HandedConnections();
    handed.serveWith(http);
    front = createServer({ pauseOnConnect: true }, (socket) => handed.serve(socket));
    await new Promise<void>((resolve) => front!.listen(0, "127.0.0.1", resolve));
    return { handed, port: (front.address() as AddressInfo).port };
  }

  const get = (port: number, agent: Agent) =>
    new Promise<{ status: number; body: string; connection: string | undefined }>((resolve, reject) => {
      request({ host: "127.0.0.1", port, agent }, (res) => {
        let body = "";
        res.on("data", (chunk: Buffer) => (body += chunk.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, connection: res.headers.connection }));
      })
        .on("error", reject)
        .end();
    });

  it("serves them, and cuts a client whose headers never end", { timeout: 10_000 }, async () => {
    const { port } = await start(0);
    const agent = new Agent({ keepAlive: true });
    expect(await get(port, agent)).toMatchObject({ status: 200, body: "served" });
    agent.destroy();

    const since = performance.now();
    const trickling = connect(port, "127.0.0.1");
    trickling.write("GET / HTTP/1.1\r\nHost: x\r\n");
    let answer = "";
    trickling.on("data", (chunk: Buffer) => (answer += chunk.toString()));
    const closedAt = await new Promise<number>((resolve) => trickling.on("close", () => resolve(performance.now())));
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(closedAt - since).toBeLessThan(2_000);
  });

  it("closes an idle connection at once and waits for the one answering, then takes no more", async () => {
    const { handed, port } = await start(400);
    const idleAgent = new Agent({ keepAlive: true });
    expect((await get(port, idleAgent)).status).toBe(200);
    const [idleSocket] = Object.values(idleAgent.freeSockets).flat();
    const idleClosed = new Promise<void>((resolve) => idleSocket!.once("close", () => resolve()));

    const busyAgent = new Agent({ keepAlive: true });
    const inFlight = get(port, busyAgent);
    await sleep(100);
    const since = performance.now();
    let ended = false;
    const ending = handed.ended().then(() => (ended = true));
    await idleClosed;
    expect(ended).toBe(false);
    expect(await inFlight).toMatchObject({ status: 200, body: "served" });
    await ending;
    // well before the 60 s keep-alive timeout: the answered connection was closed once idle
    expect(performance.now() - since).toBeLessThan(2_000);

    const late = connect(port, "127.0.0.1");
    await new Promise<void>((resolve) => late.on("close", () => resolve()));
    idleAgent.destroy();
    busyAgent.destroy();
  });

  /** The socket `agent` keeps idle for its next request. */
  const idleSocketOf = (agent: Agent) => Object.values(agent.freeSockets).flat()[0]!;
  const closeOf = (socket: { once(event: "close", listener: () => void): unknown }) => new Promise<void>((resolve) => socket.once("close", () => resolve()));

  it("lets go of the open connections: each answers its next request with Connection: close, then closes; a newer one is kept", async () => {
    const { handed, port } = await start(0);
    const released = new Agent({ keepAlive: true });
    expect(await get(port, released)).toMatchObject({ status: 200, connection: "keep-alive" });
    const releasedSocket = idleSocketOf(released);
    const releasedClosed = closeOf(releasedSocket);
    handed.releaseOpen();
    const newer = new Agent({ keepAlive: true });
    expect(await get(port, newer)).toMatchObject({ status: 200, connection: "keep-alive" });

    // the released connection stays open until its client sends on it: nothing races a request
    await sleep(100);
    expect(releasedSocket.destroyed).toBe(false);
    expect(await get(port, released)).toEqual({ status: 200, body: "served", connection: "close" });
    await releasedClosed;
    expect(await get(port, newer)).toMatchObject({ status: 200, connection: "keep-alive" });
    expect(await get(port, released)).toMatchObject({ status: 200, connection: "keep-alive" });
    released.destroy();
    newer.destroy();
  });

  it("lets go of every connection, open or handed later, and says when all have closed", async () => {
    const { handed, port } = await start(0);
    const open = new Agent({ keepAlive: true });
    expect((await get(port, open)).status).toBe(200);
    let allClosed = false;
    const releasing = handed.releaseAll().then(() => (allClosed = true));
    const later = new Agent({ keepAlive: true });
    expect(await get(port, later)).toMatchObject({ status: 200, connection: "close" });
    await sleep(100);
    expect(allClosed).toBe(false);
    expect(await get(port, open)).toMatchObject({ status: 200, connection: "close" });
    await releasing;
    open.destroy();
    later.destroy();
  });
});
