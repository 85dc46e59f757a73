import type { GenerationRecord } from "./ports.js";
import type { SettledGeneration } from "../domain/settled-generation.js";

/**
 * The analytics view of a stored generation record. Credit amounts are exactly what the
 * ledger was asked to settle (provider cost as usage, fee as fee), so rollups sum to the
 * ledger's usage and fee entries.
 */
export function settledFromRecord(record: GenerationRecord): SettledGeneration {
  const isByok = record.isByok;
  const ok = record.errorStatus == null && record.finishReason !== "error";
  return {
    id: record.id,
    accountId: record.accountId,
    apiKeyId: record.keyId ?? "",
    model: record.model ?? record.requestedModel,
    provider: record.provider ?? lastAttemptProvider(record) ?? "",
    createdAt: record.createdAt,
    appReferer: record.httpReferer ?? null,
    appTitle: record.appTitle ?? null,
    promptTokens: record.promptTokens ?? 0,
    completionTokens: record.completionTokens ?? 0,
    reasoningTokens: record.reasoningTokens ?? 0,
    cachedTokens: record.cachedTokens ?? 0,
    isByok,
    creditUsageNano: isByok ? 0n : (record.upstreamCostNano ?? 0n),
    feeNano: record.feeNano ?? 0n,
    // a BYOK record's upstream cost is what the provider charged the account's own key
    byokUpstreamNano: isByok ? (record.upstreamCostNano ?? 0n) : 0n,
    latencyMs: record.latencyMs,
    ttftMs: record.streamed ? (record.ttftMs ?? null) : null,
    generationTimeMs: record.ttftMs != null && record.streamed ? Math.max(0, record.latencyMs - record.ttftMs) : null,
    ok,
    status: record.errorStatus ?? 200,
    streamed: record.streamed,
  };
}

function lastAttemptProvider(record: GenerationRecord): string | undefined {
  const attempts = record.attempts ?? [];
  return attempts[attempts.length - 1]?.provider;
}

/**
 * The gateway's "generation settled" hook without touching the gateway: turns each record the
 * billing writer has stored with its settlement into the analytics view for `onSettled`
 * (rollups, metrics). A failing listener is reported to `onError` and never fails the
 * settlement: the ledger and the record are the truth, rollups can be rebuilt.
 *
 * Listeners that batch return the same promise for every generation of a batch; it is passed on
 * as one promise (reported once if it fails), so a batch's wait holds no per-generation state.
 */
export function settledListener(
  onSettled: (generation: SettledGeneration) => Promise<void> | void,
  onError: (error: unknown) => void = () => {},
): (record: GenerationRecord) => Promise<void> | undefined {
  let lastReturned: Promise<void> | undefined;
  let lastReported: Promise<void> | undefined;
  return (record) => {
    try {
      const returned = onSettled(settledFromRecord(record));
      if (!returned) return undefined;
      if (returned !== lastReturned) {
        lastReturned = returned;
        lastReported = returned.catch(onError);
      }
      return lastReported;
    } catch (error) {
      onError(error);
      return undefined;
    }
  };
}
