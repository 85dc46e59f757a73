/**
 * How a request ended, and the generation record that says so: tokens, cost, timings and every
 * attempt, one row of `generations` (written by request-end.ts together with the charge).
 */
import type { GenerationAttemptRow } from "../db/schema/generations.js";
import type { AppError } from "../domain/errors.js";
import type { Usage } from "../providers/spec.js";
import type { PlannedAttempt } from "../routing/types.js";
import type { Caller, GenerationRecord, RequestMeta } from "./ports.js";
import type { Prepared, PreparedInput } from "./prepare.js";
import type { Settlement } from "./settlement.js";

/** How a request ended. */
export type Outcome =
  | {
      kind: "served";
      attempt: PlannedAttempt;
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

/** The request a conclusion belongs to. */
export interface EndingRequest {
  prepared: Prepared<PreparedInput>;
  caller: Caller;
  meta: RequestMeta;
}

/** The generation row, built as one object literal (one shape for every request). */
export function generationRecord({ prepared, caller, meta }: EndingRequest, outcome: Outcome): GenerationRecord {
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
    // the column keeps its name: what the request reserved
    holdNano: prepared.quote.reservedNano,
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
