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
import { storableGeneration } from "./storable-generation.js";

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
      // kept with the charge too, so it is known even for a record that could not be stored
      ...(settlement.uncollectedNano > 0n ? { uncollected_nano: settlement.uncollectedNano.toString() } : {}),
    },
    record: storableGeneration(record(prepared, caller, meta, outcome)),
  });
}

/** The generation row, built as one object literal (one shape for every request). */
function record(prepared: Prepared, caller: Caller, meta: RequestMeta, outcome: Outcome): GenerationRecord {
  const { settlement } = outcome;
  const served = outcome.kind === "served" ? outcome : undefined;
  const usage = served?.usage;
  const error = outcome.error;
  return {
    id: prepared.id,
    accountId: caller.accountId,
    keyId: caller.keyId,
    requestedModel: prepared.requestedModel,
    model: served ? served.attempt.model.id : null,
    provider: served ? served.attempt.endpoint.provider.slug : null,
    providerName: served ? served.attempt.endpoint.provider.name : null,
    upstreamId: served ? served.upstreamId : null,
    router: prepared.plan.router ?? null,
    promptTokens: usage?.promptTokens ?? 0,
    completionTokens: usage?.completionTokens ?? 0,
    cachedTokens: usage?.cachedPromptTokens ?? 0,
    cacheWriteTokens: usage?.cacheWritePromptTokens ?? 0,
    reasoningTokens: usage?.reasoningTokens ?? 0,
    usageEstimated: served?.usageEstimated ?? false,
    upstreamCostNano: settlement.byokUpstreamNano ?? settlement.usageNano,
    isByok: settlement.byokUpstreamNano !== undefined,
    feeNano: settlement.feeNano,
    totalNano: settlement.chargedNano,
    holdNano: prepared.quote.holdNano,
    uncollectedNano: settlement.uncollectedNano,
    cacheDiscountNano: settlement.cacheDiscountNano,
    latencyMs: Math.round(outcome.latencyMs),
    ttftMs: served ? Math.round(served.ttftMs) : null,
    finishReason: error ? "error" : (served?.finishReason ?? null),
    nativeFinishReason: served?.nativeFinishReason ?? null,
    streamed: outcome.streamed,
    cancelled: served?.cancelled ?? false,
    errorStatus: error?.httpStatus ?? null,
    errorMessage: error?.message ?? null,
    httpReferer: meta.httpReferer ?? null,
    appTitle: meta.appTitle ?? null,
    externalUser: prepared.input.request.user ?? null,
    attempts: outcome.log,
    createdAt: prepared.createdAt,
  };
}
