/**
 * Ends a request: settles the hold at the computed charge (or voids it when nothing is owed)
 * and writes the generation record with tokens, cost, timings and every attempt, together.
 */
import type { GenerationAttemptRow } from "../db/schema/generations.js";
import type { AppError } from "../domain/errors.js";
import type { Usage } from "../providers/spec.js";
import type { Attempt } from "../routing/types.js";
import type { Billing, Caller, GenerationRecord, RequestMeta } from "./ports.js";
import type { Prepared } from "./prepare.js";
import type { Settlement } from "./settlement.js";

/** How a request ended. */
export type Outcome =
  | {
      kind: "served";
      attempt: Attempt;
      usage: Usage;
      usageEstimated: boolean;
      settlement: Settlement;
      upstreamId: string;
      finishReason: string | null;
      nativeFinishReason: string | null;
      log: GenerationAttemptRow[];
      latencyMs: number;
      ttftMs: number;
      streamed: boolean;
      cancelled: boolean;
      /** A failure after the first byte (the stream ended with an error event). */
      error: AppError | undefined;
    }
  | { kind: "failed"; error: AppError; log: GenerationAttemptRow[]; latencyMs: number; streamed: boolean; settlement: Settlement };

/** Settles or voids the hold and records the generation (the billing writer batches them). */
export function concludeGeneration(billing: Billing, prepared: Prepared, caller: Caller, meta: RequestMeta, outcome: Outcome): Promise<void> {
  const { settlement } = outcome;
  return billing.conclude({
    holdId: prepared.holdId,
    heldNano: prepared.quote.holdNano,
    usageNano: settlement.usageNano,
    feeNano: settlement.feeNano,
    metadata: {
      generation_id: prepared.id,
      ...(outcome.kind === "served" ? { model: outcome.attempt.model.id, provider: outcome.attempt.endpoint.provider.slug } : {}),
    },
    record: record(prepared, caller, meta, outcome),
  });
}

function record(prepared: Prepared, caller: Caller, meta: RequestMeta, outcome: Outcome): GenerationRecord {
  const { settlement } = outcome;
  const base = {
    id: prepared.id,
    accountId: caller.accountId,
    keyId: caller.keyId,
    requestedModel: prepared.requestedModel,
    router: prepared.plan.router ?? null,
    holdNano: prepared.quote.holdNano,
    latencyMs: Math.round(outcome.latencyMs),
    streamed: outcome.streamed,
    httpReferer: meta.httpReferer ?? null,
    appTitle: meta.appTitle ?? null,
    externalUser: prepared.input.request.user ?? null,
    attempts: outcome.log,
    createdAt: prepared.createdAt,
    upstreamCostNano: settlement.byokUpstreamNano ?? settlement.usageNano,
    isByok: settlement.byokUpstreamNano !== undefined,
    feeNano: settlement.feeNano,
    totalNano: settlement.chargedNano,
  };
  if (outcome.kind === "failed") {
    return {
      ...base,
      model: null,
      provider: null,
      providerName: null,
      upstreamId: null,
      promptTokens: 0,
      completionTokens: 0,
      cachedTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
      usageEstimated: false,
      ttftMs: null,
      finishReason: "error",
      nativeFinishReason: null,
      cancelled: false,
      errorStatus: outcome.error.httpStatus,
      errorMessage: outcome.error.message,
    };
  }
  const { attempt, usage } = outcome;
  return {
    ...base,
    model: attempt.model.id,
    provider: attempt.endpoint.provider.slug,
    providerName: attempt.endpoint.provider.name,
    upstreamId: outcome.upstreamId,
    promptTokens: usage.promptTokens,
    completionTokens: usage.completionTokens,
    cachedTokens: usage.cachedPromptTokens,
    cacheWriteTokens: usage.cacheWritePromptTokens,
    reasoningTokens: usage.reasoningTokens,
    usageEstimated: outcome.usageEstimated,
    ttftMs: Math.round(outcome.ttftMs),
    finishReason: outcome.error ? "error" : outcome.finishReason,
    nativeFinishReason: outcome.nativeFinishReason,
    cancelled: outcome.cancelled,
    errorStatus: outcome.error?.httpStatus ?? null,
    errorMessage: outcome.error?.message ?? null,
  };
}
