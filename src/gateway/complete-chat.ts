/**
 * A chat request answered whole: the serving attempt's answer, billed on its reported usage (or
 * an estimate from the text when that is unusable), returned with its cost; its end is
 * concluded in the background.
 */
import { performance } from "node:perf_hooks";
import type { ChatResponse } from "../providers/spec.js";
import { messageChars } from "./billed-usage.js";
import { generationHeader, startChat, type ChatRunDeps } from "./chat-run.js";
import type { Caller, RequestMeta } from "./ports.js";
import { excludesReasoning, withoutReasoning } from "./reasoning-exclusion.js";
import { completionBody } from "./wire-response.js";

/** Answers `body` for `caller` in one response body. */
export async function completeChat(deps: ChatRunDeps, caller: Caller, body: unknown, meta: RequestMeta): Promise<{ generationId: string; body: Record<string, unknown> }> {
  // no async layer of its own: its promise and resumption would be one more per request
  const run = await startChat<ChatResponse>(deps, caller, body, meta, false, (adapter, request, context) =>
    excludesReasoning(request) ? adapter.complete(request, context).then(withoutReasoning) : adapter.complete(request, context),
  );
  const { prepared, attempt, value: reported } = run;
  const latencyMs = performance.now() - run.startedAt;
  const { usage, usageEstimated, settlement } = deps.end.charge(prepared, attempt, {
    reported: reported.usageReported === false ? undefined : reported.usage,
    producedChars: messageChars(reported.message),
    finishReason: reported.finishReason,
    failed: false,
    cancelled: false,
  });
  const response = usage === reported.usage ? reported : { ...reported, usage };
  const attemptLatency = performance.now() - run.attemptStartedAt;
  deps.health.record(attempt.endpoint.id, {
    atMs: deps.nowMs(),
    ok: true,
    ttftMs: attemptLatency,
    tokensPerSecond: attemptLatency > 0 ? response.usage.completionTokens / (attemptLatency / 1000) : undefined,
  });
  deps.end.conclude(run, {
    kind: "served",
    attempt,
    usage: response.usage,
    usageEstimated,
    settlement,
    upstreamId: response.upstreamId,
    finishReason: response.finishReason,
    nativeFinishReason: response.nativeFinishReason,
    log: run.log,
    latencyMs,
    ttftMs: latencyMs,
    streamed: false,
    cancelled: false,
    error: undefined,
  });
  return { generationId: prepared.id, body: completionBody(generationHeader(prepared, attempt), response, settlement) };
}
