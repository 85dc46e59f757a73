/**
 * Runs a plan's attempts in order until one answers (DESIGN.md §4, reference §7): on a retryable
 * failure (429, 5xx, timeouts, connection errors, invalid responses) the next endpoint is tried;
 * on a non-retryable one (the upstream rejected the request itself) the rest of that model is
 * skipped and the next model in `models` gets its turn. Only failures before the first byte
 * reach this loop, so a client never sees output from two upstreams. Every attempt is logged
 * and fed to the health statistics.
 */
import { performance } from "node:perf_hooks";
import type { Endpoint } from "../catalog/types.js";
import type { Protocol } from "../domain/protocols.js";
import { AppError, internalError } from "../domain/errors.js";
import type { CancelSignal } from "../domain/cancellation.js";
import type { HealthTracker } from "../routing/health.js";
import type { PlannedAttempt } from "../routing/types.js";
import { UpstreamError, type AdapterContext, type ChatRequest, type ProviderAdapter, type UpstreamTimeouts } from "../providers/spec.js";
import type { GenerationAttemptRow } from "../db/schema/generations.js";
import { byokKeyRejected, isKeyRejection } from "../byok/byok-charge.js";
import { defaultOutputTokens } from "./quote.js";

/** What the loop needs besides the plan. */
export interface AttemptDeps {
  adapterFor: (protocol: Protocol) => ProviderAdapter | undefined;
  health: HealthTracker;
  timeouts: UpstreamTimeouts;
  nowMs: () => number;
  /** Told when a provider refused the account's own key (401/403). */
  onKeyRejected?: (provider: string) => void;
}

/** The winning attempt and its value, or the error a client should see. */
export type AttemptsResult<T> =
  | { ok: true; value: T; attempt: PlannedAttempt; startedAt: number }
  | { ok: false; error: AppError };

/**
 * Tries each attempt with `call` until one succeeds; appends one row per attempt to `log`.
 * `requestFor` gives the request (chat, embeddings, ...) as one endpoint receives it.
 */
export async function runAttempts<T, R>(
  deps: AttemptDeps,
  attempts: readonly PlannedAttempt[],
  requestFor: (endpoint: Endpoint) => R,
  signal: CancelSignal | undefined,
  log: GenerationAttemptRow[],
  call: (adapter: ProviderAdapter, request: R, context: AdapterContext) => Promise<T>,
): Promise<AttemptsResult<T>> {
  let lastError: AppError | undefined;
  // made when a model is first given up (most requests are served by their first attempt)
  let skippedModels: Set<string> | undefined;
  for (const attempt of attempts) {
    if (skippedModels?.has(attempt.model.id)) continue;
    if (signal?.aborted) {
      lastError = new UpstreamError("The client closed the request.", { kind: "aborted" });
      break;
    }
    const { endpoint } = attempt;
    const adapter = deps.adapterFor(endpoint.provider.protocol);
    const apiKey = attempt.byok ? attempt.byok.secret.reveal() : endpoint.provider.apiKey;
    if (!adapter) {
      log.push(attemptRow(attempt, null, "no_adapter", 0));
      lastError = internalError(`No adapter for protocol ${endpoint.provider.protocol}`);
      continue;
    }
    if (apiKey === undefined) {
      // the planner keeps keyless endpoints out; one reaching here is a wiring fault, named as such
      log.push(attemptRow(attempt, null, "no_api_key", 0));
      lastError = internalError(`Provider ${endpoint.provider.slug} has no API key configured`);
      continue;
    }
    const startedAt = performance.now();
    const context: AdapterContext = {
      apiKey,
      baseUrl: endpoint.provider.baseUrl,
      timeouts: deps.timeouts,
      supportedParameters: endpoint.supportedParameters,
      headers: endpoint.provider.headers,
    };
    if (endpoint.provider.textCompletions) context.takesRawPrompt = true;
    if (signal) context.signal = signal;
    try {
      const value = await call(adapter, requestFor(endpoint), context);
      log.push(attemptRow(attempt, 200, null, performance.now() - startedAt));
      return { ok: true, value, attempt, startedAt };
    } catch (caught) {
      const error = caught instanceof AppError ? caught : internalError("The upstream call failed unexpectedly.", caught);
      const upstream = error instanceof UpstreamError ? error : undefined;
      log.push(attemptRow(attempt, upstream?.status ?? null, upstream?.kind ?? error.errorType, performance.now() - startedAt));
      lastError = error;
      if (upstream?.kind === "aborted") break;
      if (attempt.byok && isKeyRejection(upstream?.status)) {
        // the account's own key was refused: say so, and let shared capacity (if planned) take over
        lastError = byokKeyRejected(attempt.byok, upstream?.status ?? 401);
        deps.onKeyRejected?.(attempt.byok.provider);
        continue;
      }
      deps.health.record(endpoint.id, { atMs: deps.nowMs(), ok: false, rateLimited: upstream?.status === 429 });
      // an endpoint not known to read the request's images, files or audio may refuse them: try the next one
      const refusedUnverifiedInput = attempt.inputUnverified === true && upstream?.status !== undefined && upstream.status >= 400 && upstream.status < 500;
      if (!error.retryable && !refusedUnverifiedInput) (skippedModels ??= new Set()).add(attempt.model.id);
    }
  }
  const error = lastError ?? internalError("No attempt could be made.");
  if (log.length > 1) {
    error.metadata.previous_errors = log.map((entry) => ({ provider: entry.provider, status: entry.status, error: entry.error }));
  }
  return { ok: false, error };
}

/** The generation's log row of one attempt. */
function attemptRow(attempt: PlannedAttempt, status: number | null, error: string | null, latencyMs: number): GenerationAttemptRow {
  const { endpoint } = attempt;
  return {
    endpoint_id: endpoint.id,
    provider: endpoint.provider.slug,
    provider_name: endpoint.provider.name,
    model: attempt.model.id,
    status,
    error,
    latency_ms: Math.round(latencyMs),
  };
}

/**
 * The request as one endpoint receives it: its own model id, and, when the client set no
 * `max_tokens` and the endpoint's output limit is unknown, the bounded default the hold was
 * quoted for, so the answer can never cost more than was held.
 */
export function chatRequestFor(endpoint: Endpoint, request: ChatRequest, promptTokensHeld: number): ChatRequest {
  const sent: ChatRequest = { ...request, model: endpoint.upstreamModel };
  if (request.max_tokens === undefined && !endpoint.outputLimitKnown) sent.max_tokens = defaultOutputTokens(endpoint, promptTokensHeld);
  return sent;
}
