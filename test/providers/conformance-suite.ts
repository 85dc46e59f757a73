/**
 * The one conformance suite every provider adapter passes, each against its fake upstream speaking the
 * real wire format: translation both ways, streaming, usage, every error kind, aborts, timeouts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUpstreamHttp, type UpstreamHttp } from "../../src/providers/shared/upstream-http.js";
import {
  UpstreamError,
  type AdapterContext,
  type ChatRequest,
  type ProviderAdapter,
  type StreamChunk,
} from "../../src/providers/spec.js";
import { refusedUrl, startSilentTcp, type FakeUpstream } from "../support/fake-upstreams/index.js";
import type { ProtocolUnderTest } from "./protocols.js";

const PNG_BASE64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

const weatherTool = {
  type: "function" as const,
  function: {
    name: "get_weather",
    description: "Current weather for a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
};

async function collect(chunks: AsyncIterable<StreamChunk>): Promise<StreamChunk[]> {
  const out: StreamChunk[] = [];
  for await (const chunk of chunks) out.push(chunk);
  return out;
}

async function upstreamError(promise: Promise<unknown>): Promise<UpstreamError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(UpstreamError);
    return error as UpstreamError;
  }
  throw new Error("expected an UpstreamError, but the call succeeded");
}

/** Declares the whole conformance suite for one protocol (each protocol's file calls it). */
export function describeConformance(protocol: ProtocolUnderTest): void {
  describe(`${protocol.name} adapter conformance`, () => {
    let fake: FakeUpstream;
    let http: UpstreamHttp;
    let adapter: ProviderAdapter;

    beforeAll(async () => {
      fake = await protocol.start();
      http = createUpstreamHttp();
      adapter = protocol.adapter(http);
    });
    afterAll(async () => {
      await http.close();
      await fake.close();
    });

    const context = (overrides: Partial<AdapterContext> = {}): AdapterContext => ({
      apiKey: "sk-test-123",
      baseUrl: protocol.baseUrl(fake),
      timeouts: { connectMs: 2000, firstByteMs: 3000, idleMs: 3000 },
      ...overrides,
    });
    const fast = { connectMs: 200, firstByteMs: 300, idleMs: 300 };
    const ask = (text: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
      model: "test-model-1",
      messages: [{ role: "user", content: text }],
      ...extra,
    });

    describe("translation", () => {
      it("answers a text prompt and sends model, key and sampling fields", async () => {
        fake.setScript({ text: "Paris is the capital.", usage: { prompt: 21, completion: 5 } });
        const response = await adapter.complete(
          ask("Capital of France?", { temperature: 0.3, max_tokens: 64, stop: ["\n\n"] }),
          context(),
        );
        expect(response.message.content).toBe("Paris is the capital.");
        expect(response.finishReason).toBe("stop");
        expect(response.nativeFinishReason).toBeTruthy();
        expect(response.usage.promptTokens).toBe(21);
        expect(response.usage.completionTokens).toBe(5);
        expect(response.upstreamId).not.toBe("");
        const seen = fake.lastRequest();
        expect(protocol.read.apiKey(seen)).toBe("sk-test-123");
        expect(protocol.read.model(seen)).toBe("test-model-1");
        expect(protocol.read.isStream(seen)).toBe(false);
        expect(protocol.read.userTexts(seen)).toEqual(["Capital of France?"]);
        expect(protocol.read.temperature(seen)).toBe(0.3);
        expect(protocol.read.maxTokens(seen)).toBe(64);
        expect(protocol.read.stop(seen)).toEqual(["\n\n"]);
      });

      it("passes the system prompt the protocol's way", async () => {
        fake.setScript({});
        await adapter.complete(
          { model: "test-model-1", messages: [{ role: "system", content: "Answer in French." }, { role: "user", content: "Hi" }] },
          context(),
        );
        const seen = fake.lastRequest();
        expect(protocol.read.system(seen)).toBe("Answer in French.");
        expect(protocol.read.userTexts(seen)).toEqual(["Hi"]);
      });

      it("sends image parts, inline base64 and by URL", async () => {
        fake.setScript({ text: "A red pixel." });
        await adapter.complete(
          {
            model: "test-model-1",
            messages: [
              {
                role: "user",
                content: [
                  { type: "text", text: "What is in these images?" },
                  { type: "image_url", image_url: { url: `data:image/png;base64,${PNG_BASE64}` } },
                  { type: "image_url", image_url: { url: "https://example.com/cat.jpg" } },
                ],
              },
            ],
          },
          context(),
        );
        const images = protocol.read.images(fake.lastRequest());
        expect(images).toHaveLength(2);
        expect(images[0]).toContain(PNG_BASE64);
        expect(images[1]).toBe("https://example.com/cat.jpg");
      });

      it("round-trips tools: a tool call out, the tool result back in", async () => {
        fake.setScript({ toolCalls: [{ id: "call_abc123", name: "get_weather", arguments: { city: "Paris" } }] });
        const first = await adapter.complete(ask("Weather in Paris?", { tools: [weatherTool], tool_choice: "auto" }), context());
        expect(protocol.read.toolNames(fake.lastRequest())).toEqual(["get_weather"]);
        expect(first.finishReason).toBe("tool_calls");
        const call = first.message.tool_calls?.[0];
        expect(call?.function.name).toBe("get_weather");
        expect(JSON.parse(call?.function.arguments ?? "null")).toEqual({ city: "Paris" });
        expect(call?.id).toBeTruthy();

        fake.setScript({ text: "It is sunny in Paris." });
        const second = await adapter.complete(
          {
            model: "test-model-1",
            tools: [weatherTool],
            messages: [
              { role: "user", content: "Weather in Paris?" },
              { role: "assistant", content: null, tool_calls: first.message.tool_calls },
              { role: "tool", tool_call_id: call!.id, content: '{"sky":"sunny"}' },
            ],
          },
          context(),
        );
        expect(second.message.content).toBe("It is sunny in Paris.");
        const seen = fake.lastRequest();
        const calls = protocol.read.assistantToolCalls(seen);
        expect(calls).toHaveLength(1);
        expect(calls[0]?.name).toBe("get_weather");
        expect(calls[0]?.args).toEqual({ city: "Paris" });
        const results = protocol.read.toolResults(seen);
        expect(results).toHaveLength(1);
        expect(results[0]?.ref).toBe(protocol.toolResultsById ? call!.id : "get_weather");
        expect(results[0]?.content).toContain("sunny");
      });

      it.each([
        ["length", "length"],
        ["content_filter", "content_filter"],
        ["stop", "stop"],
      ] as const)("maps a %s finish to %s and keeps the native reason", async (finish, expected) => {
        fake.setScript({ text: "cut", finish });
        const response = await adapter.complete(ask("Go"), context());
        expect(response.finishReason).toBe(expected);
        expect(typeof response.nativeFinishReason).toBe("string");
      });

      it("reports usage with cached, cache-write and reasoning tokens", async () => {
        const usage = { prompt: 2000, completion: 300, cached: 1500, cacheWrite: protocol.reportsCacheWrite ? 200 : 0, reasoning: 120 };
        fake.setScript({ text: "ok", usage });
        const response = await adapter.complete(ask("Long prompt"), context());
        expect(response.usage).toEqual({
          promptTokens: 2000,
          completionTokens: 300,
          cachedPromptTokens: 1500,
          cacheWritePromptTokens: usage.cacheWrite,
          reasoningTokens: protocol.reportsReasoningTokens ? 120 : 0,
        });
      });

      it("returns reasoning text separately from the answer", async () => {
        fake.setScript({ reasoning: "Think first.", text: "42" });
        const response = await adapter.complete(ask("Meaning?"), context());
        expect(response.message.content).toBe("42");
        expect(response.message.reasoning).toBe("Think first.");
      });
    });

    describe("streaming", () => {
      it("streams content in order, the finish before the final usage chunk", async () => {
        fake.setScript({ text: "One two three four.", usage: { prompt: 9, completion: 4, cached: 3 }, comments: true });
        const stream = await adapter.stream(ask("Count"), context());
        expect(stream.firstChunkAt).toBeGreaterThanOrEqual(stream.startedAt);
        const chunks = await collect(stream.chunks);
        expect(protocol.read.isStream(fake.lastRequest())).toBe(true);
        expect(chunks.map((c) => c.delta.content ?? "").join("")).toBe("One two three four.");
        expect(chunks.filter((c) => (c.delta.content ?? "") !== "").length).toBeGreaterThan(1);
        const finishIndex = chunks.findIndex((c) => c.finishReason !== null);
        expect(chunks[finishIndex]?.finishReason).toBe("stop");
        const last = chunks.at(-1)!;
        expect(finishIndex).toBeLessThan(chunks.length - 1);
        expect(last.usage).toEqual({ promptTokens: 9, completionTokens: 4, cachedPromptTokens: 3, cacheWritePromptTokens: 0, reasoningTokens: 0 });
        expect(chunks.filter((c) => c.usage !== undefined)).toHaveLength(1);
      });

      it("parses frames split across TCP writes, through multi-byte characters", async () => {
        fake.setScript({ text: "Grüße aus 東京 ✓ done", usage: { prompt: 5, completion: 6 }, splitFramesBytes: 7 });
        const stream = await adapter.stream(ask("Greet"), context());
        const chunks = await collect(stream.chunks);
        expect(chunks.map((c) => c.delta.content ?? "").join("")).toBe("Grüße aus 東京 ✓ done");
        expect(chunks.at(-1)?.usage?.completionTokens).toBe(6);
      });

      it("streams a tool call that assembles to the full arguments", async () => {
        fake.setScript({ toolCalls: [{ id: "call_s1", name: "get_weather", arguments: { city: "Oslo", unit: "celsius" } }] });
        const stream = await adapter.stream(ask("Weather?", { tools: [weatherTool] }), context());
        const chunks = await collect(stream.chunks);
        const pieces = chunks.flatMap((c) => c.delta.tool_calls ?? []);
        expect(pieces[0]?.id).toBeTruthy();
        expect(pieces[0]?.function?.name).toBe("get_weather");
        const args = pieces.map((p) => p.function?.arguments ?? "").join("");
        expect(JSON.parse(args)).toEqual({ city: "Oslo", unit: "celsius" });
        expect(chunks.find((c) => c.finishReason !== null)?.finishReason).toBe("tool_calls");
      });

      it("streams reasoning before content", async () => {
        fake.setScript({ reasoning: "Let me think.", text: "Done." });
        const stream = await adapter.stream(ask("Think"), context());
        const chunks = await collect(stream.chunks);
        expect(chunks.map((c) => c.delta.reasoning ?? "").join("")).toBe("Let me think.");
        const firstReasoning = chunks.findIndex((c) => c.delta.reasoning);
        const firstContent = chunks.findIndex((c) => c.delta.content);
        expect(firstReasoning).toBeLessThan(firstContent);
      });
    });

    describe("errors", () => {
      it("429 with retry-after is retryable and carries the delay and raw body", async () => {
        fake.setScript({ error: { status: 429, retryAfter: "7", message: "Slow down" } });
        const error = await upstreamError(adapter.complete(ask("x"), context()));
        expect(error.kind).toBe("http");
        expect(error.status).toBe(429);
        expect(error.retryable).toBe(true);
        expect(error.retryAfterMs).toBe(7000);
        expect(error.httpStatus).toBe(429);
        expect(error.message).toContain("Slow down");
        expect(error.rawBody).toContain("Slow down");
      });

      it.each([500, 502, 503, 529])("%i is retryable", async (status) => {
        fake.setScript({ error: { status } });
        const error = await upstreamError(adapter.complete(ask("x"), context()));
        expect(error.status).toBe(status);
        expect(error.retryable).toBe(true);
        expect(error.httpStatus).toBeGreaterThanOrEqual(500);
      });

      it.each([400, 401, 403, 404])("%i is not retryable", async (status) => {
        fake.setScript({ error: { status, message: "bad thing" } });
        const error = await upstreamError(adapter.stream(ask("x"), context()));
        expect(error.kind).toBe("http");
        expect(error.status).toBe(status);
        expect(error.retryable).toBe(false);
      });

      it("a refused connection is a retryable connect error", async () => {
        const url = await refusedUrl();
        const error = await upstreamError(adapter.complete(ask("x"), context({ baseUrl: protocol.baseUrl({ url } as FakeUpstream) })));
        expect(error.kind).toBe("connect");
        expect(error.retryable).toBe(true);
      });

      it("a connect that never completes times out", async () => {
        const silent = await startSilentTcp();
        try {
          const started = performance.now();
          const error = await upstreamError(
            adapter.complete(
              ask("x"),
              // undici's connect timer ticks coarsely (≈0.5 s), so the first-byte limit stays well above it.
              context({
                baseUrl: protocol.baseUrl({ url: silent.httpsUrl } as FakeUpstream),
                timeouts: { connectMs: 200, firstByteMs: 5000, idleMs: 5000 },
              }),
            ),
          );
          expect(error.kind).toBe("timeout_connect");
          expect(error.retryable).toBe(true);
          expect(performance.now() - started).toBeLessThan(2000);
        } finally {
          await silent.close();
        }
      });

      it("no first byte in time is a first-byte timeout (complete and stream)", async () => {
        fake.setScript({ firstByteDelayMs: 1500 });
        const completeError = await upstreamError(adapter.complete(ask("x"), context({ timeouts: fast })));
        expect(completeError.kind).toBe("timeout_first_byte");
        expect(completeError.retryable).toBe(true);
        const streamError = await upstreamError(adapter.stream(ask("x"), context({ timeouts: fast })));
        expect(streamError.kind).toBe("timeout_first_byte");
      });

      it("a stream that stalls before its first token rejects stream() (fallback is still possible)", async () => {
        fake.setScript({ stallAfter: 0 });
        const error = await upstreamError(adapter.stream(ask("x"), context({ timeouts: fast })));
        expect(error.kind).toBe("timeout_first_byte");
      });

      it("a stall mid-stream ends the stream with a stall error and closes the connection", async () => {
        fake.setScript({ text: "a b c d e f", stallAfter: 4 });
        const stream = await adapter.stream(ask("x"), context({ timeouts: fast }));
        const error = await upstreamError(collect(stream.chunks));
        expect(error.kind).toBe("stall");
        await fake.lastRequest().closed;
      });

      it("a connection reset before the response is retryable", async () => {
        fake.setScript({ resetBeforeResponse: true });
        const error = await upstreamError(adapter.complete(ask("x"), context()));
        expect(error.kind).toBe("reset");
        expect(error.retryable).toBe(true);
      });

      it("a connection reset mid-stream surfaces from the iterator", async () => {
        fake.setScript({ text: "a b c d e f", resetAfter: 4 });
        const stream = await adapter.stream(ask("x"), context());
        const error = await upstreamError(collect(stream.chunks));
        expect(error.kind).toBe("reset");
      });

      it("a stream cut short without its end marker is an error, not a silent success", async () => {
        fake.setScript({ text: "a b c d e f", cutAfter: 4 });
        const stream = await adapter.stream(ask("x"), context());
        const error = await upstreamError(collect(stream.chunks));
        expect(error.kind).toBe("reset");
      });

      it("malformed JSON is an invalid response (complete and stream)", async () => {
        fake.setScript({ malformed: true });
        const completeError = await upstreamError(adapter.complete(ask("x"), context()));
        expect(completeError.kind).toBe("invalid_response");
        expect(completeError.retryable).toBe(true);
        const streamError = await upstreamError(adapter.stream(ask("x"), context()));
        expect(streamError.kind).toBe("invalid_response");
      });

      it("an error event before the first token rejects stream() as retryable", async () => {
        fake.setScript({ streamErrorAfter: 0 });
        const error = await upstreamError(adapter.stream(ask("x"), context()));
        expect(error.kind).toBe("http");
        expect(error.retryable).toBe(true);
      });

      it("an error event mid-stream surfaces with the status it implies", async () => {
        fake.setScript({ text: "a b c d e f", streamErrorAfter: 4 });
        const stream = await adapter.stream(ask("x"), context());
        const error = await upstreamError(collect(stream.chunks));
        expect(error.kind).toBe("http");
        expect(error.status).toBeGreaterThanOrEqual(500);
      });
    });

    describe("cancellation and pooling", () => {
      it("aborting the signal mid-stream closes the upstream connection", async () => {
        fake.setScript({ text: "a b c d e f", stallAfter: 4 });
        const controller = new AbortController();
        const stream = await adapter.stream(ask("x"), context({ signal: controller.signal }));
        const reading = collect(stream.chunks);
        await new Promise((resolve) => setTimeout(resolve, 100));
        controller.abort();
        const error = await upstreamError(reading);
        expect(error.kind).toBe("aborted");
        expect(error.retryable).toBe(false);
        await fake.lastRequest().closed;
        expect(fake.lastRequest().closedEarly).toBe(true);
      });

      it("aborting before the answer rejects as aborted and closes the connection", async () => {
        fake.setScript({ firstByteDelayMs: 2000 });
        const controller = new AbortController();
        const pending = adapter.complete(ask("x"), context({ signal: controller.signal }));
        await new Promise((resolve) => setTimeout(resolve, 100));
        controller.abort();
        const error = await upstreamError(pending);
        expect(error.kind).toBe("aborted");
        await fake.lastRequest().closed;
      });

      it("a consumer that stops reading early closes the upstream connection", async () => {
        fake.setScript({ text: "a b c d e f", stallAfter: 5 });
        const stream = await adapter.stream(ask("x"), context());
        for await (const chunk of stream.chunks) {
          if (chunk.delta.content) break;
        }
        await fake.lastRequest().closed;
        expect(fake.lastRequest().closedEarly).toBe(true);
      });

      it("close() on an open stream closes the upstream connection", async () => {
        fake.setScript({ text: "a b c d e f", stallAfter: 4 });
        const stream = await adapter.stream(ask("x"), context());
        stream.close();
        await fake.lastRequest().closed;
        expect(fake.lastRequest().closedEarly).toBe(true);
      });

      it("sequential requests reuse pooled keep-alive connections", async () => {
        fake.setScript({});
        for (let round = 0; round < 3; round++) {
          await adapter.complete(ask("one"), context());
          const stream = await adapter.stream(ask("two"), context());
          await collect(stream.chunks);
        }
        const ports = fake.requests.slice(-6).map((r) => r.remotePort);
        // undici frees a socket a tick after the body ends, so back-to-back calls may alternate two.
        expect(new Set(ports).size).toBeLessThanOrEqual(2);
      });
    });
  });
}
