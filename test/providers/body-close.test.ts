import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Attempt } from "../../src/providers/shared/attempt.js";
import { exchangeStream } from "../../src/providers/shared/exchange.js";
import { readSseBody } from "../../src/providers/shared/sse-body-reader.js";
import type { UpstreamHttp } from "../../src/providers/shared/upstream-http.js";

const CLOSED = "The provider's response body was closed before its end";
const context = { apiKey: "", baseUrl: "http://upstream", timeouts: { connectMs: 1_000, firstByteMs: 5_000, idleMs: 5_000 } };

/** Errors with the early-close message constructed while `work` runs (each costs a stack trace). */
async function closeErrorsBuilt(work: () => Promise<unknown>): Promise<number> {
  const spy = vi.spyOn(globalThis, "Error");
  try {
    await work().catch(() => undefined);
    // the body's close is emitted on a later tick than its end
    await new Promise((resolve) => setImmediate(resolve));
    return spy.mock.calls.filter((args) => args[0] === CLOSED).length;
  } finally {
    spy.mockRestore();
  }
}

/**
 * An upstream that answers a stream request with a JSON body of `body`'s bytes, read whole from
 * its Readable (exchange.ts's readText; a non-stream answer is read without one, whole-response.ts).
 */
function upstream(body: PassThrough): UpstreamHttp {
  return { postJson: () => Promise.resolve({ status: 200, headers: { "content-type": "application/json" }, body }) } as unknown as UpstreamHttp;
}
const errorDetails = (json: unknown) => ({ message: (json as { error?: { message?: string } }).error?.message });
const exchange = (body: PassThrough) =>
  exchangeStream({ http: upstream(body), context, url: "http://upstream/v1", headers: {}, body: {}, errorDetails }, () => {
    throw new Error("a JSON body is not translated");
  });

afterEach(() => vi.restoreAllMocks());

describe("an upstream body's close", () => {
  it("builds no error for a JSON body that closes after its end, and the body is read", async () => {
    const body = new PassThrough();
    let answer: unknown;
    const built = await closeErrorsBuilt(async () => {
      const pending = exchange(body);
      body.end('{"error":{"message":"busy","code":503}}');
      answer = await pending.catch((error: unknown) => error);
    });
    expect(answer).toMatchObject({ message: "busy", status: 503 });
    expect(built).toBe(0);
  });

  it("still fails a JSON body closed before its end", async () => {
    const body = new PassThrough();
    const pending = exchange(body);
    body.write('{"ok":');
    body.destroy();
    await expect(pending).rejects.toThrow(CLOSED);
  });

  it("builds no error for an SSE body that closes after its end, and its events are read", async () => {
    const body = new PassThrough();
    const attempt = new Attempt(context);
    const events: unknown[] = [];
    const built = await closeErrorsBuilt(async () => {
      const reader = readSseBody(body, attempt);
      body.end("data: one\n\ndata: two\n\n");
      for await (const event of reader) events.push(event.data);
    });
    attempt.dispose();
    expect(events).toEqual(["one", "two"]);
    expect(built).toBe(0);
  });

  it("still fails an SSE body closed before its end", async () => {
    const body = new PassThrough();
    const attempt = new Attempt(context);
    const reader = readSseBody(body, attempt);
    body.write("data: one\n\n");
    const first = await reader.next();
    expect(first.value?.data).toBe("one");
    body.destroy();
    await expect(reader.next()).rejects.toThrow(CLOSED);
    attempt.dispose();
  });
});
