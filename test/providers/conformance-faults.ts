/** Conformance cases: every upstream failure kind, aborts, early close and connection reuse. */
import { describe, expect, it } from "vitest";
import type { FakeUpstream } from "../support/fake-upstreams/index.js";
import { refusedUrl, startSilentTcp } from "../support/fake-upstreams/index.js";
import { collect, upstreamError, type ConformanceEnv } from "./conformance-env.js";

/** Failures surface as the right UpstreamError kind, status and retryability; aborts close connections. */
export function faultCases(env: ConformanceEnv): void {
  describe("errors", () => {
    it("429 with retry-after is retryable and carries the delay and raw body", async () => {
      env.fake.setScript({ error: { status: 429, retryAfter: "7", message: "Slow down" } });
      const error = await upstreamError(env.adapter.complete(env.ask("x"), env.context()));
      expect(error.kind).toBe("http");
      expect(error.status).toBe(429);
      expect(error.retryable).toBe(true);
      expect(error.retryAfterMs).toBe(7000);
      expect(error.httpStatus).toBe(429);
      expect(error.message).toContain("Slow down");
      expect(error.rawBody).toContain("Slow down");
    });

    it.each([500, 502, 503, 529])("%i is retryable", async (status) => {
      env.fake.setScript({ error: { status } });
      const error = await upstreamError(env.adapter.complete(env.ask("x"), env.context()));
      expect(error.status).toBe(status);
      expect(error.retryable).toBe(true);
      expect(error.httpStatus).toBeGreaterThanOrEqual(500);
    });

    it.each([400, 401, 403, 404])("%i is not retryable", async (status) => {
      env.fake.setScript({ error: { status, message: "bad thing" } });
      const error = await upstreamError(env.adapter.stream(env.ask("x"), env.context()));
      expect(error.kind).toBe("http");
      expect(error.status).toBe(status);
      expect(error.retryable).toBe(false);
    });

    it("a refused connection is a retryable connect error", async () => {
      const url = await refusedUrl();
      const error = await upstreamError(env.adapter.complete(env.ask("x"), env.context({ baseUrl: env.protocol.baseUrl({ url } as FakeUpstream) })));
      expect(error.kind).toBe("connect");
      expect(error.retryable).toBe(true);
    });

    it("a connect that never completes times out", async () => {
      const silent = await startSilentTcp();
      try {
        const started = performance.now();
        const error = await upstreamError(
          env.adapter.complete(
            env.ask("x"),
            // undici's connect timer ticks coarsely (≈0.5 s), so the first-byte limit stays well above it.
            env.context({
              baseUrl: env.protocol.baseUrl({ url: silent.httpsUrl } as FakeUpstream),
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
      env.fake.setScript({ firstByteDelayMs: 1500 });
      const completeError = await upstreamError(env.adapter.complete(env.ask("x"), env.context({ timeouts: env.fast })));
      expect(completeError.kind).toBe("timeout_first_byte");
      expect(completeError.retryable).toBe(true);
      const streamError = await upstreamError(env.adapter.stream(env.ask("x"), env.context({ timeouts: env.fast })));
      expect(streamError.kind).toBe("timeout_first_byte");
    });

    it("a stream that stalls before its first token rejects stream() (fallback is still possible)", async () => {
      env.fake.setScript({ stallAfter: 0 });
      const error = await upstreamError(env.adapter.stream(env.ask("x"), env.context({ timeouts: env.fast })));
      expect(error.kind).toBe("timeout_first_byte");
    });

    it("a stall mid-stream ends the stream with a stall error and closes the connection", async () => {
      env.fake.setScript({ text: "a b c d e f", stallAfter: 4 });
      const stream = await env.adapter.stream(env.ask("x"), env.context({ timeouts: env.fast }));
      const error = await upstreamError(collect(stream.chunks));
      expect(error.kind).toBe("stall");
      await env.fake.lastRequest().closed;
    });

    it("a connection reset before the response is retryable", async () => {
      env.fake.setScript({ resetBeforeResponse: true });
      const error = await upstreamError(env.adapter.complete(env.ask("x"), env.context()));
      expect(error.kind).toBe("reset");
      expect(error.retryable).toBe(true);
    });

    it("a connection reset mid-stream surfaces from the iterator", async () => {
      env.fake.setScript({ text: "a b c d e f", resetAfter: 4 });
      const stream = await env.adapter.stream(env.ask("x"), env.context());
      const error = await upstreamError(collect(stream.chunks));
      expect(error.kind).toBe("reset");
    });

    it("a stream cut short without its end marker is an error, not a silent success", async () => {
      env.fake.setScript({ text: "a b c d e f", cutAfter: 4 });
      const stream = await env.adapter.stream(env.ask("x"), env.context());
      const error = await upstreamError(collect(stream.chunks));
      expect(error.kind).toBe("reset");
    });

    it("malformed JSON is an invalid response (complete and stream)", async () => {
      env.fake.setScript({ malformed: true });
      const completeError = await upstreamError(env.adapter.complete(env.ask("x"), env.context()));
      expect(completeError.kind).toBe("invalid_response");
      expect(completeError.retryable).toBe(true);
      const streamError = await upstreamError(env.adapter.stream(env.ask("x"), env.context()));
      expect(streamError.kind).toBe("invalid_response");
    });

    it("a JSON body where a stream was asked is a retryable invalid response", async () => {
      env.fake.setScript({ ignoreStream: true });
      const error = await upstreamError(env.adapter.stream(env.ask("x"), env.context()));
      expect(error.kind).toBe("invalid_response");
      expect(error.retryable).toBe(true);
    });

    it("an error event before the first token rejects stream() as retryable", async () => {
      env.fake.setScript({ streamErrorAfter: 0 });
      const error = await upstreamError(env.adapter.stream(env.ask("x"), env.context()));
      expect(error.kind).toBe("http");
      expect(error.retryable).toBe(true);
    });

    it("an error event mid-stream surfaces with the status it implies", async () => {
      env.fake.setScript({ text: "a b c d e f", streamErrorAfter: 4 });
      const stream = await env.adapter.stream(env.ask("x"), env.context());
      const error = await upstreamError(collect(stream.chunks));
      expect(error.kind).toBe("http");
      expect(error.status).toBeGreaterThanOrEqual(500);
    });
  });

  describe("cancellation and pooling", () => {
    it("aborting the signal mid-stream closes the upstream connection", async () => {
      env.fake.setScript({ text: "a b c d e f", stallAfter: 4 });
      const controller = new AbortController();
      const stream = await env.adapter.stream(env.ask("x"), env.context({ signal: controller.signal }));
      const reading = collect(stream.chunks);
      await new Promise((resolve) => setTimeout(resolve, 100));
      controller.abort();
      const error = await upstreamError(reading);
      expect(error.kind).toBe("aborted");
      expect(error.retryable).toBe(false);
      await env.fake.lastRequest().closed;
      expect(env.fake.lastRequest().closedEarly).toBe(true);
    });

    it("aborting before the answer rejects as aborted and closes the connection", async () => {
      env.fake.setScript({ firstByteDelayMs: 2000 });
      const controller = new AbortController();
      const pending = env.adapter.complete(env.ask("x"), env.context({ signal: controller.signal }));
      await new Promise((resolve) => setTimeout(resolve, 100));
      controller.abort();
      const error = await upstreamError(pending);
      expect(error.kind).toBe("aborted");
      await env.fake.lastRequest().closed;
    });

    it("a consumer that stops reading early closes the upstream connection", async () => {
      env.fake.setScript({ text: "a b c d e f", stallAfter: 5 });
      const stream = await env.adapter.stream(env.ask("x"), env.context());
      for await (const chunk of stream.chunks) {
        if (chunk.delta.content) break;
      }
      await env.fake.lastRequest().closed;
      expect(env.fake.lastRequest().closedEarly).toBe(true);
    });

    it("close() on an open stream closes the upstream connection", async () => {
      env.fake.setScript({ text: "a b c d e f", stallAfter: 4 });
      const stream = await env.adapter.stream(env.ask("x"), env.context());
      stream.close();
      await env.fake.lastRequest().closed;
      expect(env.fake.lastRequest().closedEarly).toBe(true);
    });

    it("sequential requests reuse pooled keep-alive connections", async () => {
      env.fake.setScript({});
      for (let round = 0; round < 3; round++) {
        await env.adapter.complete(env.ask("one"), env.context());
        const stream = await env.adapter.stream(env.ask("two"), env.context());
        await collect(stream.chunks);
        stream.close(); // closing a finished stream must not cost its pooled connection
      }
      const ports = env.fake.requests.slice(-6).map((r) => r.remotePort);
      // undici frees a socket a tick after the body ends, so back-to-back calls may alternate two.
      expect(new Set(ports).size).toBeLessThanOrEqual(2);
    });
  });
}
