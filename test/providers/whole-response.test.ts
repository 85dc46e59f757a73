/**
 * A non-stream answer read whole (exchangeJson over UpstreamHttp.postJsonWhole): the text as
 * TextDecoder decodes it whatever the chunking, the attempt's clock after the headers, a body cut
 * or stalled midway, an error body cut at its limit, and a cancellation mid-body.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Cancellation } from "../../src/domain/cancellation.js";
import { exchangeJson } from "../../src/providers/shared/exchange.js";
import { createUpstreamHttp } from "../../src/providers/shared/upstream-http.js";
import { UpstreamError, type AdapterContext } from "../../src/providers/spec.js";

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

const http = createUpstreamHttp();
let handler: Handler = (_request, response) => response.end("{}");
const closed: boolean[] = [];
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    request.resume();
    request.on("end", () => handler(request, response));
    response.on("close", () => closed.push(!response.writableFinished));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`;
});

afterAll(async () => {
  await http.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const context = (overrides: Partial<AdapterContext> = {}): AdapterContext => ({
  apiKey: "",
  baseUrl: "http://upstream",
  timeouts: { connectMs: 1_000, firstByteMs: 2_000, idleMs: 2_000 },
  ...overrides,
});

const exchange = (ctx: AdapterContext = context()) =>
  exchangeJson({ http, context: ctx, url, headers: {}, body: { n: 1 }, errorDetails: (json) => ({ message: (json as { error?: string }).error }) });

async function failure(pending: Promise<unknown>): Promise<UpstreamError> {
  const error = await pending.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(UpstreamError);
  return error as UpstreamError;
}

const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("a non-stream answer read whole", () => {
  it("decodes the body once whatever its chunks: a character split across them, a leading byte order mark dropped", async () => {
    const bytes = Buffer.from('\uFEFF{"text":"café ☕ 𝄞"}', "utf8");
    handler = (_request, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      // one byte at a time, each its own write: multi-byte characters arrive split
      const send = (at: number): void => {
        if (at === bytes.length) return void response.end();
        response.write(bytes.subarray(at, at + 1), () => setImmediate(() => send(at + 1)));
      };
      send(0);
    };
    expect(await exchange()).toEqual({ text: "café ☕ 𝄞" });
  });

  it("keeps the connection for the next request once an answer is read", async () => {
    handler = (_request, response) => response.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    closed.length = 0;
    for (let i = 0; i < 3; i++) expect(await exchange()).toEqual({ ok: true });
    expect(closed).toEqual([false, false, false]);
  });

  it("a body that stalls after the headers fails on the idle limit, not the first-byte deadline", async () => {
    handler = (_request, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.write('{"ok":');
    };
    const started = performance.now();
    const error = await failure(exchange(context({ timeouts: { connectMs: 1_000, firstByteMs: 5_000, idleMs: 150 } })));
    expect(error.kind).toBe("stall");
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("an error status's body waits under the first-byte deadline", async () => {
    handler = (_request, response) => {
      response.writeHead(500, { "content-type": "application/json" });
      response.write('{"error":');
    };
    const error = await failure(exchange(context({ timeouts: { connectMs: 1_000, firstByteMs: 300, idleMs: 5_000 } })));
    expect(error.kind).toBe("timeout_first_byte");
  });

  it("a body cut midway is a retryable broken connection", async () => {
    handler = (_request, response) => {
      response.writeHead(200, { "content-type": "application/json", "content-length": "100" });
      response.write('{"ok":', () => response.socket?.destroy());
    };
    const error = await failure(exchange());
    expect(error.kind).toBe("reset");
    expect(error.retryable).toBe(true);
  });

  it("an error body past 64 KiB characters is cut there without waiting for the rest, its connection closed", async () => {
    handler = (_request, response) => {
      response.writeHead(503, { "retry-after": "2", "content-type": "text/plain" });
      // the rest never comes: only the cut can end the read before the first-byte deadline
      response.write("é".repeat(70_000));
    };
    closed.length = 0;
    const error = await failure(exchange(context({ timeouts: { connectMs: 1_000, firstByteMs: 10_000, idleMs: 10_000 } })));
    expect(error.kind).toBe("http");
    expect(error.status).toBe(503);
    expect(error.retryAfterMs).toBe(2_000);
    expect(error.message).toBe("The provider answered HTTP 503");
    expect(error.rawBody?.startsWith("éééé")).toBe(true);
    await later(100);
    expect(closed).toEqual([true]);
  });

  it("an error body under the limit gives its message", async () => {
    handler = (_request, response) => response.writeHead(429, { "content-type": "application/json" }).end('{"error":"Slow down"}');
    const error = await failure(exchange());
    expect(error.status).toBe(429);
    expect(error.message).toBe("Slow down");
    expect(error.rawBody).toBe('{"error":"Slow down"}');
    expect(error.retryAfterMs).toBeUndefined();
  });

  it("a cancellation while the body arrives rejects as aborted and closes the connection", async () => {
    handler = (_request, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.write('{"ok":');
    };
    closed.length = 0;
    const signal = new Cancellation();
    const pending = exchange(context({ signal }));
    await later(100);
    signal.abort();
    const error = await failure(pending);
    expect(error.kind).toBe("aborted");
    await later(100);
    expect(closed).toEqual([true]);
  });

  it("a request cancelled before it is sent fails as aborted", async () => {
    const signal = new Cancellation();
    signal.abort();
    const error = await failure(exchange(context({ signal })));
    expect(error.kind).toBe("aborted");
  });
});
