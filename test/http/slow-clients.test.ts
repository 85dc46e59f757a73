import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serverSchema } from "../../src/config/server-schema.js";
import { startTestApp, type TestApp } from "../support/app.js";

/** Opens a raw socket to the app and resolves, on close, how long it stayed open and what it received. */
function openSocket(url: string): { socket: Socket; closed: Promise<{ afterMs: number; received: string }> } {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  const startedMs = Date.now();
  let received = "";
  socket.on("data", (chunk: Buffer) => (received += chunk.toString("utf8")));
  const closed = new Promise<{ afterMs: number; received: string }>((resolve) => {
    socket.on("close", () => resolve({ afterMs: Date.now() - startedMs, received }));
    socket.on("error", () => undefined);
  });
  return { socket, closed };
}

/** Writes one byte of `text` every `everyMs` until the socket closes or the text runs out. */
function trickle(socket: Socket, text: string, everyMs: number): void {
  let index = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || index >= text.length) return clearInterval(timer);
    socket.write(text[index++]!);
  }, everyMs);
  socket.on("close", () => clearInterval(timer));
}

describe("slow clients are cut", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp("pglite", {
      config: { server: serverSchema.parse({ headers_timeout_ms: 300, request_timeout_ms: 600, keep_alive_timeout_ms: 400 }) },
    });
  });
  afterAll(() => app.close());

  it("closes a socket that trickles its request body", async () => {
    const { socket, closed } = openSocket(app.url);
    const body = JSON.stringify({ chain: "evm", address: "0x" + "ab".repeat(20) }).padEnd(200, " ");
    socket.write(`POST /api/v1/auth/challenge HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
    // 200 bytes at one per 50 ms would take 10 s; the request deadline is 600 ms.
    trickle(socket, body, 50);
    const { afterMs, received } = await closed;
    expect(afterMs).toBeLessThan(3_000);
    expect(received).not.toMatch(/^HTTP\/1\.1 200/);
  });

  it("closes a socket that trickles its headers", async () => {
    const { socket, closed } = openSocket(app.url);
    trickle(socket, "GET /api/v1/models HTTP/1.1\r\nHost: x\r\nX-Slow: " + "a".repeat(400) + "\r\n\r\n", 20);
    const { afterMs } = await closed;
    expect(afterMs).toBeLessThan(3_000);
  });

  it("closes an idle keep-alive socket after the keep-alive timeout", async () => {
    const { socket, closed } = openSocket(app.url);
    socket.write("GET /api/v1/models HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n");
    const { afterMs, received } = await closed;
    expect(received).toMatch(/^HTTP\/1\.1 200/);
    expect(afterMs).toBeLessThan(3_000);
  });
});
