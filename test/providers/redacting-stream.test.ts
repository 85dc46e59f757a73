import { describe, expect, it } from "vitest";
import { withSecretsRedacted } from "../../src/providers/shared/redacting-adapter.js";
import { UpstreamError, type AdapterContext, type ProviderAdapter, type StreamChunk, type UpstreamStream } from "../../src/providers/spec.js";

const API_KEY = "sk-operator-secret-0123456789abcdef";
const context: AdapterContext = { apiKey: API_KEY, baseUrl: "http://upstream", timeouts: { connectMs: 1_000, firstByteMs: 1_000, idleMs: 1_000 } };
const request = { model: "m", messages: [{ role: "user" as const, content: "hi" }] };
const first: StreamChunk = { delta: { content: "The" }, finishReason: null, nativeFinishReason: null };

/** An adapter whose stream hands out one chunk, then fails with the key in its error. */
function leakyAdapter(closed: { count: number }, returned: { count: number }): ProviderAdapter {
  return {
    protocol: "openai",
    complete: () => Promise.reject(new Error("not used")),
    stream: (): Promise<UpstreamStream> => {
      let position = 0;
      const chunks: AsyncIterable<StreamChunk> = {
        [Symbol.asyncIterator]: () => ({
          next: () =>
            position++ === 0
              ? Promise.resolve({ done: false, value: first })
              : Promise.reject(new UpstreamError(`mid-stream failure for key ${API_KEY}`, { kind: "http", status: 500, rawBody: `{"key":"${API_KEY}"}` })),
          return: () => {
            returned.count++;
            return Promise.resolve({ done: true, value: undefined });
          },
        }),
      };
      return Promise.resolve({ upstreamId: "up-1", model: "m-1", startedAt: 1, firstChunkAt: 2, chunks, close: () => void closed.count++ });
    },
  };
}

describe("a redacted adapter's stream", () => {
  it("keeps the stream's facts and chunks, and redacts a failure while its chunks are read", async () => {
    const closed = { count: 0 };
    const stream = await withSecretsRedacted(leakyAdapter(closed, { count: 0 })).stream(request, context);
    expect({ upstreamId: stream.upstreamId, model: stream.model, startedAt: stream.startedAt, firstChunkAt: stream.firstChunkAt }).toEqual({
      upstreamId: "up-1",
      model: "m-1",
      startedAt: 1,
      firstChunkAt: 2,
    });
    stream.close();
    expect(closed.count).toBe(1);
    const iterator = stream.chunks[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ done: false, value: first });
    const failure = await iterator.next().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(UpstreamError);
    expect(JSON.stringify({ message: (failure as UpstreamError).message, rawBody: (failure as UpstreamError).rawBody })).not.toContain(API_KEY);
    expect((failure as UpstreamError).message).toContain("[REDACTED]");
  });

  it("passes a consumer's early return on to the upstream's chunks", async () => {
    const returned = { count: 0 };
    const stream = await withSecretsRedacted(leakyAdapter({ count: 0 }, returned)).stream(request, context);
    for await (const chunk of stream.chunks) {
      expect(chunk).toEqual(first);
      break;
    }
    expect(returned.count).toBe(1);
  });
});
