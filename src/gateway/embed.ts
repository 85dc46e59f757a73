/**
 * The embeddings use case: the same pipeline as chat (prepare: plan, quote, reserve; attempts
 * with fallback; the request's end: charge, record, notify), for a request billed per input token
 * only. Its worst case is the input's token estimate (with headroom) at the priciest endpoint;
 * it is billed on the input tokens the upstream reports, or on the estimate when it reports none.
 */
import { performance } from "node:perf_hooks";
import { internalError } from "../domain/errors.js";
import type { EmbeddingRequest } from "../providers/spec.js";
import { tokensForChars } from "../routing/estimate-tokens.js";
import { parseProviderPreferences } from "../routing/preferences.js";
import type { PlannedAttempt, RoutingRequest } from "../routing/types.js";
import { embeddingUsage } from "./billed-usage.js";
import { generationHeader, runPrepared, type ChatRunDeps } from "./chat-run.js";
import type { Caller, EmbeddingsInput, EmbeddingsResult, RequestMeta } from "./ports.js";
import { quoteShared, reserveWorstCase, type QuoteBasis } from "./prepare.js";
import type { Nano } from "../domain/money.js";

/** An embeddings request ready for preparation. */
interface EmbeddingsRequestInput {
  request: EmbeddingRequest & { user?: string };
  routing: RoutingRequest;
}

/** Embeds `input` for `caller`. */
export async function embed(deps: ChatRunDeps, caller: Caller, input: EmbeddingsInput, meta: RequestMeta): Promise<EmbeddingsResult> {
  const { request: requested, basis } = embeddingsQuoteBasis(deps, input);
  const { promptTokensEstimate } = basis;
  const prepared = await reserveWorstCase(deps.prepare, caller, requested, { ...basis, generationId: meta.generationId });
  const { request } = prepared.input;
  const run = await runPrepared(
    deps,
    caller,
    meta,
    prepared,
    false,
    (endpoint) => ({ ...withoutUser(request), model: endpoint.upstreamModel }),
    (adapter, upstreamRequest: EmbeddingRequest, context) => {
      if (!adapter.embed) throw internalError(`The ${adapter.protocol} adapter has no embeddings.`);
      return adapter.embed(upstreamRequest, context);
    },
  );
  const { attempt, value } = run;
  const latencyMs = performance.now() - run.startedAt;
  const { usage, usageEstimated, settlement } = deps.end.settle(prepared, attempt, embeddingUsage(value.promptTokens, promptTokensEstimate));
  deps.health.record(attempt.endpoint.id, { atMs: deps.nowMs(), ok: true, ttftMs: performance.now() - run.attemptStartedAt });
  deps.end.conclude(run, {
    kind: "served",
    attempt,
    usage,
    usageEstimated,
    settlement,
    upstreamId: "",
    finishReason: null,
    nativeFinishReason: null,
    log: run.log,
    latencyMs,
    ttftMs: latencyMs,
    streamed: false,
    cancelled: false,
    error: undefined,
  });
  const header = generationHeader(prepared, attempt);
  return {
    ...header,
    vectors: value.vectors,
    promptTokens: usage.promptTokens,
    chargedNano: settlement.chargedNano,
    upstreamNano: settlement.byokUpstreamNano ?? settlement.usageNano,
    isByok: settlement.byokUpstreamNano !== undefined,
  };
}

/** The worst case of an embeddings request before anyone is known to pay for it (x402): what its hold would be placed for. */
export function quoteEmbeddings(deps: ChatRunDeps, input: EmbeddingsInput): Nano {
  const { request, basis } = embeddingsQuoteBasis(deps, input);
  return quoteShared(deps.prepare, request, basis).reservedNano;
}

/** How an embeddings request is quoted: its input's token estimate, on endpoints whose adapter embeds. */
function embeddingsQuoteBasis(deps: ChatRunDeps, input: EmbeddingsInput): { request: EmbeddingsRequestInput; basis: QuoteBasis & { promptTokensEstimate: number } } {
  const perInput = input.input.map((entry) => (typeof entry === "string" ? Math.max(1, tokensForChars(entry.length)) : entry.length));
  const promptTokensEstimate = perInput.reduce((sum, tokens) => sum + tokens, 0);
  const basis = {
    images: 0,
    promptTokensEstimate,
    outputless: true,
    servable: (attempt: PlannedAttempt) => deps.attempts.adapterFor(attempt.endpoint.provider.protocol)?.embed !== undefined,
  };
  return { request: requestInput(input, perInput), basis };
}

/**
 * The request and its routing view. An embedding model's context window bounds each input, not
 * their sum, so endpoints are filtered by the longest input; the quote covers all of them.
 */
function requestInput(input: EmbeddingsInput, perInput: readonly number[]): EmbeddingsRequestInput {
  const request: EmbeddingsRequestInput["request"] = { model: "", input: input.input };
  if (input.dimensions !== undefined) request.dimensions = input.dimensions;
  if (input.inputType !== undefined) request.input_type = input.inputType;
  if (input.user !== undefined) request.user = input.user;
  const routing: RoutingRequest = {
    kind: "embeddings",
    provider: parseProviderPreferences(input.provider),
    promptTokensEstimate: Math.max(0, ...perInput),
    maxTokens: 0,
    hasImages: false,
    hasTools: false,
    wantsStructuredOutput: false,
    requestedParameters: input.dimensions !== undefined ? ["dimensions"] : [],
  };
  if (input.model !== undefined) routing.model = input.model;
  if (input.models !== undefined) routing.models = input.models;
  return { request, routing };
}

/** The upstream request: the end user stays on the generation record, never sent upstream. */
function withoutUser({ user: _user, ...request }: EmbeddingsRequestInput["request"]): EmbeddingRequest {
  return request;
}
