/**
 * The chat completion use case: auth (done by the caller) → quote → hold → attempts with
 * fallback before the first byte → settle at the serving endpoint's price × reported usage + fee
 * → generation record. Every path ends the hold: a success settles, an error without output
 * voids, a client disconnect settles what was produced. Settlement and the generation record
 * run after the answer is on its way (the hold already guarantees the money); `idle()` waits
 * for them, for shutdown and tests.
 */
import { performance } from "node:perf_hooks";
import type { Catalog, Protocol } from "../catalog/types.js";
import type { AppError } from "../domain/errors.js";
import type { HealthTracker } from "../routing/health.js";
import { SessionAffinity } from "../routing/session-affinity.js";
import type { ChatResponse, ProviderAdapter, UpstreamStream, UpstreamTimeouts } from "../providers/spec.js";
import type { GenerationAttemptRow } from "../db/schema/generations.js";
import { runAttempts } from "./attempts.js";
import { billedUsage, messageChars, owesNothing } from "./billed-usage.js";
import type { Billing, ByokKeys, Caller, RequestMeta } from "./ports.js";
import { prepareRequest, type Prepared } from "./prepare.js";
import { concludeGeneration, type Outcome } from "./conclude.js";
import { NO_CHARGE, settleAttempt } from "./settlement.js";
import { streamFrames } from "./stream-frames.js";
import { completionBody, type GenerationHeader } from "./wire-response.js";
import { excludesReasoning, withoutReasoning, withoutReasoningStream } from "./reasoning-exclusion.js";

/** Everything the use case is built from; all I/O arrives here. */
export interface ChatGatewayDeps {
  catalog: Catalog;
  health: HealthTracker;
  /** Which endpoint served each conversation lately (prompt-cache stickiness); a fresh one when absent. */
  affinity?: SessionAffinity;
  adapterFor: (protocol: Protocol) => ProviderAdapter | undefined;
  billing: Billing;
  /** Fee on credit-funded requests in basis points (500 = 5%). */
  feeBps: number;
  /** The accounts' own provider keys (BYOK); absent when no master key is configured. */
  byok?: ByokKeys;
  timeouts: UpstreamTimeouts;
  nowMs?: () => number;
  random?: () => number;
  /** Receives failures of background settlement/recording (they never reach the client). */
  onBackgroundError?: (error: unknown) => void;
}

/** A started stream: SSE frames to write, in order. */
export interface StreamStart {
  generationId: string;
  frames: AsyncGenerator<string, void, undefined>;
}

/** The use case's surface for the HTTP layer. */
export interface ChatGateway {
  complete(caller: Caller, body: unknown, meta: RequestMeta): Promise<{ generationId: string; body: Record<string, unknown> }>;
  /** Resolves once the first chunk arrived (fallback happens before); rejects with the AppError otherwise. */
  stream(caller: Caller, body: unknown, meta: RequestMeta): Promise<StreamStart>;
  /** Whether the body asks for a stream (without validating the rest). */
  wantsStream(body: unknown): boolean;
  /** Waits until every settlement and generation record started so far has finished, then gives back unused reservations. */
  idle(): Promise<void>;
}

/** Builds the use case. Creating it performs no I/O. */
export function createChatGateway(deps: ChatGatewayDeps): ChatGateway {
  const nowMs = deps.nowMs ?? (() => Date.now());
  const random = deps.random ?? Math.random;
  const pending = new Set<Promise<void>>();
  const affinity = deps.affinity ?? new SessionAffinity();
  const prepareDeps = {
    catalog: deps.catalog,
    billing: deps.billing,
    feeBps: deps.feeBps,
    byok: deps.byok,
    planner: () => ({ health: deps.health, affinity, nowMs: nowMs(), random }),
    now: () => new Date(nowMs()),
  };
  const attemptDeps = { adapterFor: deps.adapterFor, health: deps.health, timeouts: deps.timeouts, nowMs };

  const inBackground = (work: Promise<void>): void => {
    const task = work.catch((error: unknown) => deps.onBackgroundError?.(error));
    pending.add(task);
    void task.finally(() => pending.delete(task));
  };

  /** The attempt loop's dependencies for one caller: a refused own key is stamped on its row. */
  const attemptsFor = (caller: Caller) => {
    const markRejected = deps.byok?.markRejected?.bind(deps.byok);
    if (!markRejected) return attemptDeps;
    return { ...attemptDeps, onKeyRejected: (provider: string) => inBackground(markRejected(caller.accountId, provider)) };
  };

  const finish = (prepared: Prepared, caller: Caller, meta: RequestMeta, outcome: Outcome): void => {
    inBackground(concludeGeneration(deps.billing, prepared, caller, meta, outcome));
  };

  const header = (prepared: Prepared, modelId: string, providerName: string): GenerationHeader => ({
    id: prepared.id,
    model: modelId,
    provider: providerName,
    created: Math.floor(prepared.createdAt.getTime() / 1000),
  });

  return {
    wantsStream: (body) => typeof body === "object" && body !== null && (body as { stream?: unknown }).stream === true,

    async complete(caller, body, meta) {
      const prepared = await prepareRequest(prepareDeps, caller, body, false, meta.generationId, meta.sessionId);
      const log: GenerationAttemptRow[] = [];
      const started = performance.now();
      const result = await runAttempts<ChatResponse>(attemptsFor(caller), prepared.plan.attempts, prepared.input.request, prepared.quote.promptTokens, meta.signal, log, async (adapter, request, context) => {
        const response = await adapter.complete(request, context);
        return excludesReasoning(request) ? withoutReasoning(response) : response;
      });
      const latencyMs = performance.now() - started;
      if (!result.ok) {
        const error = explainSkippedFallback(prepared, result.error);
        finish(prepared, caller, meta, failed(error, log, latencyMs, false));
        throw error;
      }
      const { value: reported, attempt } = result;
      if (prepared.input.routing.sessionKey) affinity.served(prepared.input.routing.sessionKey, attempt.endpoint, nowMs());
      // billed on the reported usage when it is usable, else on an estimate, never for free
      const producedChars = messageChars(reported.message);
      const { usage, usageEstimated } = billedUsage(reported.usageReported === false ? undefined : reported.usage, producedChars, prepared.input.routing.promptTokensEstimate);
      const response = usage === reported.usage ? reported : { ...reported, usage };
      const settlement = owesNothing(producedChars, usage, response.finishReason === "error")
        ? NO_CHARGE
        : settleAttempt(attempt, usage, prepared.images, deps.feeBps, prepared.quote.holdNano);
      const attemptLatency = performance.now() - result.startedAt;
      deps.health.record(attempt.endpoint.id, {
        atMs: nowMs(),
        ok: true,
        ttftMs: attemptLatency,
        tokensPerSecond: attemptLatency > 0 ? response.usage.completionTokens / (attemptLatency / 1000) : undefined,
      });
      finish(prepared, caller, meta, {
        kind: "served",
        attempt,
        usage: response.usage,
        usageEstimated,
        settlement,
        upstreamId: response.upstreamId,
        finishReason: response.finishReason,
        nativeFinishReason: response.nativeFinishReason,
        log,
        latencyMs,
        ttftMs: latencyMs,
        streamed: false,
        cancelled: false,
        error: undefined,
      });
      return { generationId: prepared.id, body: completionBody(header(prepared, attempt.model.id, attempt.endpoint.provider.name), response, settlement) };
    },

    async stream(caller, body, meta) {
      const prepared = await prepareRequest(prepareDeps, caller, body, true, meta.generationId, meta.sessionId);
      const log: GenerationAttemptRow[] = [];
      const started = performance.now();
      const result = await runAttempts<UpstreamStream>(attemptsFor(caller), prepared.plan.attempts, prepared.input.request, prepared.quote.promptTokens, meta.signal, log, async (adapter, request, context) => {
        const upstream = await adapter.stream(request, context);
        return excludesReasoning(request) ? withoutReasoningStream(upstream) : upstream;
      });
      if (!result.ok) {
        const error = explainSkippedFallback(prepared, result.error);
        finish(prepared, caller, meta, failed(error, log, performance.now() - started, true));
        throw error;
      }
      const { attempt, value: upstream } = result;
      if (prepared.input.routing.sessionKey) affinity.served(prepared.input.routing.sessionKey, attempt.endpoint, nowMs());
      const frames = streamFrames({
        header: header(prepared, attempt.model.id, attempt.endpoint.provider.name),
        upstream,
        prepared,
        attempt,
        feeBps: deps.feeBps,
        ...(meta.signal ? { signal: meta.signal } : {}),
        conclude: (outcome) => {
          const latencyMs = performance.now() - started;
          const ttftMs = upstream.firstChunkAt - started;
          const generationMs = performance.now() - upstream.firstChunkAt;
          if (!outcome.cancelled) {
            deps.health.record(attempt.endpoint.id, {
              atMs: nowMs(),
              ok: outcome.error === undefined,
              ttftMs: upstream.firstChunkAt - upstream.startedAt,
              tokensPerSecond: generationMs > 0 ? outcome.usage.completionTokens / (generationMs / 1000) : undefined,
            });
          }
          finish(prepared, caller, meta, { kind: "served", attempt, log, latencyMs, ttftMs, streamed: true, upstreamId: upstream.upstreamId, ...outcome });
        },
      });
      return { generationId: prepared.id, frames };
    },

    async idle() {
      const done = deps.billing.hurry();
      try {
        while (pending.size > 0) await Promise.allSettled([...pending]);
        await deps.billing.drain();
      } finally {
        done();
      }
    },
  };
}

function failed(error: AppError, log: GenerationAttemptRow[], latencyMs: number, streamed: boolean): Outcome {
  return { kind: "failed", error, log, latencyMs, streamed, settlement: NO_CHARGE };
}

/**
 * When the plan was cut to the account's own keys because the balance could not back shared
 * capacity, says so on the error, so a client whose key failed knows why nothing took over.
 */
function explainSkippedFallback(prepared: Prepared, error: AppError): AppError {
  if (prepared.sharedFallbackSkipped) error.metadata.shared_fallback = "skipped_insufficient_balance";
  return error;
}
