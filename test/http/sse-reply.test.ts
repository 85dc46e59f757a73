import { connect } from "node:net";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Cancellation } from "../../src/domain/cancellation.js";
import { streamInference, type InferenceExchange } from "../../src/http/inference-request.js";
import { sendSse } from "../../src/http/sse-reply.js";

/** The response's bytes as they arrived, its Date header's value masked. */
function rawResponse(url: string, path: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let received = "";
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString("latin1");
      if (received.endsWith("0\r\n\r\n")) socket.end();
    });
    socket.on("close", () => resolve(received.replace(/\r\nDate: [^\r]*\r\n/, "\r\nDate: <date>\r\n")));
    socket.on("error", reject);
    socket.write(`GET ${path} HTTP/1.1\r\nhost: ${hostname}\r\n\r\n`);
  });
}

async function* frames(): AsyncIterable<string> {
  yield "data: one\n\n";
  yield "data: two\n\n";
}

const framing = { keepAliveFrame: ": keep-alive\n\n", errorFrame: () => "data: error\n\n" };
const BODY = "b\r\ndata: one\n\n\r\nb\r\ndata: two\n\n\r\n0\r\n\r\n";

describe("SSE replies", () => {
  let app: FastifyInstance;
  let url: string;
  beforeAll(async () => {
    app = Fastify();
    app.get("/sse", (_request, reply) => sendSse(reply, { start: () => Promise.resolve(frames()), framing, signal: new Cancellation(), headers: { "x-extra": "1", "cache-control": "no-store" } }));
    app.get("/inference", (_request, reply) => {
      const exchange = { generationId: "gen-1", cancellation: new Cancellation() } as InferenceExchange;
      return streamInference(reply, exchange, { start: () => Promise.resolve(frames()), framing, headers: { "request-id": "req-1" } });
    });
    url = await app.listen({ port: 0, host: "127.0.0.1" });
  });
  afterAll(() => app.close());

  it("writes the SSE headers in order, an extra header after them and an overriding one in its place", async () => {
    expect(await rawResponse(url, "/sse")).toBe(
      "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream; charset=utf-8\r\ncache-control: no-store\r\nconnection: keep-alive\r\n" +
        "x-accel-buffering: no\r\nx-extra: 1\r\nDate: <date>\r\nTransfer-Encoding: chunked\r\n\r\n" +
        BODY,
    );
  });

  it("announces the generation id before the route's own headers", async () => {
    expect(await rawResponse(url, "/inference")).toBe(
      "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream; charset=utf-8\r\ncache-control: no-cache\r\nconnection: keep-alive\r\n" +
        "x-accel-buffering: no\r\nx-generation-id: gen-1\r\nrequest-id: req-1\r\nDate: <date>\r\nTransfer-Encoding: chunked\r\n\r\n" +
        BODY,
    );
  });
});
