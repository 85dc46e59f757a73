/**
 * What both ways of answering a chat request share (and, from preparation on, every other kind
 * of request): prepare it (validate, plan, quote, reserve), then run its attempts with fallback
 * before the first byte. A request no attempt could serve
 * is concluded (nothing owed) and its error thrown for the client.
 */
import { performance } from "node:perf_hooks";
import type { GenerationAttemptRow } from "../db/schema/generations.js";
import type { AppError } from "../domain/errors.js";
import type { AdapterContext, ChatRequest, ProviderAdapter } from "../providers/spec.js";
import type { HealthTracker } from "../routing/health.js";
import { cachesCheaper, type SessionAffinity } from "../routing/session-affinity.js";
import type { PlannedAttempt } from "../routing/types.js";
import type { Endpoint } from "../catalog/types.js";
import { chatRequestFor, runAttempts, type AttemptDeps } from "./attempts.js";
import type { ChatInput } from "./chat-input.js";
import type { EndingRequest } from "./generation-record.js";
import type { ByokKeys, Caller, RequestMeta } from "./ports.js";
import { prepareRequest, type Prepared, type PrepareDeps, type PreparedInput } from "./prepare.js";
import type { RequestEnd } from "./request-end.js";
import { NO_CHARGE } from "./settlement.js";
import type { GenerationHeader } from "./wire-response.js";

/** What one gateway's requests run with. */
export interface ChatRunDeps {
  prepare: PrepareDeps;
  attempts: AttemptDeps;
  byok?: ByokKeys | undefined;
  health: HealthTracker;
  /** Which endpoint served each conversation lately: a served request keeps its conversation there. */
  affinity: SessionAffinity;
  nowMs: () => number;
  end: RequestEnd;
}

/** A request an attempt is serving. */
export interface ChatRun<T, I extends PreparedInput = ChatInput> extends EndingRequest {
  prepared: Prepared<I>;
  attempt: PlannedAttempt;
  value: T;
  log: GenerationAttemptRow[];
  /** performance.now() when the attempts began, and when the serving attempt began. */
  startedAt: number;
  attemptStartedAt: number;
}

/** Prepares the request and runs its attempts with `call` until one answers. */
export async function startChat<T>(
  deps: ChatRunDeps,
  caller: Caller,
  body: unknown,
  meta: RequestMeta,
  stream: boolean,
  call: (adapter: ProviderAdapter, request: ChatRequest, context: AdapterContext) => Promise<T>,
): Promise<ChatRun<T>> {
  const prepared = await prepareRequest(deps.prepare, caller, body, stream, meta.generationId, meta.sessionId);
  const { request } = prepared.input;
  const run = await runPrepared(deps, caller, meta, prepared, stream, (endpoint) => chatRequestFor(endpoint, request, prepared.quote.promptTokens), call);
  const { sessionKey } = prepared.input.routing;
  // only an endpoint whose cache reads cost less makes a conversation sticky: only then is its key needed
  if (sessionKey && cachesCheaper(run.attempt.endpoint)) deps.affinity.served(sessionKey(), run.attempt.endpoint, deps.nowMs());
  return run;
}

/**
 * Runs a prepared request's attempts (whatever its kind) with `call` until one answers; a
 * request no attempt could serve is concluded (nothing owed) and its error thrown.
 */
export async function runPrepared<T, R, I extends PreparedInput>(
  deps: ChatRunDeps,
  caller: Caller,
  meta: RequestMeta,
  prepared: Prepared<I>,
  stream: boolean,
  requestFor: (endpoint: Endpoint) => R,
  call: (adapter: ProviderAdapter, request: R, context: AdapterContext) => Promise<T>,
): Promise<ChatRun<T, I>> {
  const log: GenerationAttemptRow[] = [];
  const startedAt = performance.now();
  const result = await runAttempts<T, R>(attemptsFor(deps, caller, prepared.plan.attempts), prepared.plan.attempts, requestFor, meta.signal, log, call);
  if (!result.ok) {
    const error = explainSkippedFallback(prepared, result.error);
    deps.end.conclude({ prepared, caller, meta }, { kind: "failed", error, log, latencyMs: performance.now() - startedAt, streamed: stream, settlement: NO_CHARGE });
    throw error;
  }
  return { prepared, caller, meta, attempt: result.attempt, value: result.value, log, startedAt, attemptStartedAt: result.startedAt };
}

/**
 * The attempt loop's dependencies for one caller: a refused own key is stamped on its row. A plan
 * without an attempt on the account's own key shares the gateway's (no per-request copy).
 */
function attemptsFor(deps: ChatRunDeps, caller: Caller, attempts: readonly PlannedAttempt[]): AttemptDeps {
  const byok = deps.byok;
  const markRejected = byok?.markRejected;
  if (!markRejected || !attempts.some((attempt) => attempt.byok)) return deps.attempts;
  return { ...deps.attempts, onKeyRejected: (provider: string) => deps.end.inBackground(markRejected.call(byok, caller.accountId, provider)) };
}

/**
 * When the plan was cut to the account's own keys because the balance could not back shared
 * capacity, says so on the error, so a client whose key failed knows why nothing took over.
 */
function explainSkippedFallback(prepared: Prepared<PreparedInput>, error: AppError): AppError {
  if (prepared.sharedFallbackSkipped) error.metadata.shared_fallback = "skipped_insufficient_balance";
  return error;
}

/** The generation's id, model, serving provider and creation time, as every response states them. */
export function generationHeader(prepared: Prepared<PreparedInput>, attempt: PlannedAttempt): GenerationHeader {
  return {
    id: prepared.id,
    model: attempt.model.id,
    provider: attempt.endpoint.provider.name,
    created: Math.floor(prepared.createdAt.getTime() / 1000),
  };
}
