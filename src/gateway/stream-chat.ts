/**
 * A chat request answered as a stream: resolves once the serving attempt's first chunk arrived
 * (fallback happens before), then hands out its SSE frames; however the stream ends, its charge
 * is decided and its end concluded exactly once (stream-frames.ts).
 */
import { performance } from "node:perf_hooks";
import type { UpstreamStream } from "../providers/spec.js";
import { generationHeader, startChat, type ChatRunDeps } from "./chat-run.js";
import type { Caller, RequestMeta } from "./ports.js";
import { excludesReasoning, withoutReasoningStream } from "./reasoning-exclusion.js";
import { streamFrames } from "./stream-frames.js";

/** A started stream: SSE frames to write, in order. */
export interface StreamStart {
  generationId: string;
  frames: AsyncIterable<string>;
}

/** Starts streaming the answer to `body` for `caller`. */
export async function streamChat(deps: ChatRunDeps, caller: Caller, body: unknown, meta: RequestMeta): Promise<StreamStart> {
  // the adapter's own promise when no reasoning is to be removed: an async wrapper awaiting it
  // would add a promise and a microtask turn between the upstream's first chunk and the client
  const run = await startChat<UpstreamStream>(deps, caller, body, meta, true, (adapter, request, context) =>
    excludesReasoning(request) ? adapter.stream(request, context).then(withoutReasoningStream) : adapter.stream(request, context),
  );
  const { prepared, attempt, value: upstream, startedAt } = run;
  const frames = streamFrames({
    header: generationHeader(prepared, attempt),
    upstream,
    ...(meta.signal ? { signal: meta.signal } : {}),
    end: (end) => {
      const charged = deps.end.charge(prepared, attempt, {
        reported: end.reported,
        producedChars: end.producedChars,
        finishReason: end.finishReason,
        failed: end.error !== undefined,
        cancelled: end.cancelled,
      });
      const generationMs = performance.now() - upstream.firstChunkAt;
      if (!end.cancelled) {
        deps.health.record(attempt.endpoint.id, {
          atMs: deps.nowMs(),
          ok: end.error === undefined,
          ttftMs: upstream.firstChunkAt - upstream.startedAt,
          tokensPerSecond: generationMs > 0 ? charged.usage.completionTokens / (generationMs / 1000) : undefined,
        });
      }
      deps.end.conclude(run, {
        kind: "served",
        attempt,
        log: run.log,
        latencyMs: performance.now() - startedAt,
        ttftMs: upstream.firstChunkAt - startedAt,
        streamed: true,
        upstreamId: upstream.upstreamId,
        ...charged,
        finishReason: end.finishReason,
        nativeFinishReason: end.nativeFinishReason,
        cancelled: end.cancelled,
        error: end.error,
      });
      return charged;
    },
  });
  return { generationId: prepared.id, frames };
}
