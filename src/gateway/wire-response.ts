/**
 * OpenRouter's response shapes (reference §1.4–1.6): the completion object, stream chunks, the
 * final usage chunk with `choices: []`, and the mid-stream error event. Money leaves as USD
 * numbers formatted from exact nano-USD integers.
 */
import { nanoToUsdNumber } from "../domain/money.js";
import type { AppError } from "../domain/errors.js";
import type { ChatResponse, Usage } from "../providers/spec.js";
import type { Settlement } from "./settlement.js";

/** Identity shared by every object of one generation. */
export interface GenerationHeader {
  id: string;
  model: string;
  /** Display name of the serving provider. */
  provider: string;
  created: number;
}

/** The `usage` object with cost fields. */
export function wireUsage(usage: Usage, settlement: Settlement): Record<string, unknown> {
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.promptTokens + usage.completionTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedPromptTokens, cache_write_tokens: usage.cacheWritePromptTokens, audio_tokens: 0, video_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens, audio_tokens: 0, image_tokens: 0 },
    cost: nanoToUsdNumber(settlement.chargedNano),
    is_byok: settlement.byokUpstreamNano !== undefined,
    cost_details: {
      // what the provider charged for this request: the account's own key's bill (BYOK), else the base price farebox paid
      upstream_inference_cost: nanoToUsdNumber(settlement.byokUpstreamNano ?? settlement.usageNano),
      upstream_inference_prompt_cost: nanoToUsdNumber(settlement.promptBaseNano),
      upstream_inference_completions_cost: nanoToUsdNumber(settlement.completionBaseNano),
    },
  };
}

/** The non-stream completion body. */
export function completionBody(header: GenerationHeader, response: ChatResponse, settlement: Settlement): Record<string, unknown> {
  return {
    id: header.id,
    provider: header.provider,
    model: header.model,
    object: "chat.completion",
    created: header.created,
    system_fingerprint: response.systemFingerprint ?? null,
    choices: [
      {
        index: 0,
        logprobs: response.logprobs ?? null,
        finish_reason: response.finishReason,
        native_finish_reason: response.nativeFinishReason,
        message: {
          role: "assistant",
          content: response.message.content,
          refusal: response.message.refusal ?? null,
          reasoning: response.message.reasoning ?? null,
          ...(response.message.reasoning_details && response.message.reasoning_details.length > 0 ? { reasoning_details: response.message.reasoning_details } : {}),
          ...(response.message.tool_calls && response.message.tool_calls.length > 0 ? { tool_calls: response.message.tool_calls } : {}),
        },
      },
    ],
    usage: wireUsage(response.usage, settlement),
  };
}

function chunkEnvelope(header: GenerationHeader, rest: Record<string, unknown>): string {
  return `data: ${JSON.stringify({ id: header.id, provider: header.provider, model: header.model, object: "chat.completion.chunk", created: header.created, ...rest })}\n\n`;
}

/** The last data chunk: empty choices and the full usage with cost. */
export function usageFrame(header: GenerationHeader, usage: Usage, settlement: Settlement): string {
  return chunkEnvelope(header, { choices: [], usage: wireUsage(usage, settlement) });
}

/** A failure after the first byte: top-level error and finish_reason "error". */
export function errorFrame(header: GenerationHeader, error: AppError): string {
  const masked = error.httpStatus >= 500;
  const { raw: _raw, provider_code: providerCode, ...metadata } = error.metadata;
  return chunkEnvelope(header, {
    error: {
      code: error.httpStatus,
      message: masked ? "The provider failed while streaming." : error.message,
      metadata: { error_type: error.errorType, ...metadata, ...(masked || providerCode === undefined ? {} : { provider_code: providerCode }) },
    },
    choices: [{ index: 0, delta: { content: "" }, finish_reason: "error", native_finish_reason: null }],
  });
}

/** The SSE terminator. */
export const DONE_FRAME = "data: [DONE]\n\n";
/** Keep-alive comment sent while waiting for the upstream; clients must ignore comment lines. */
export const KEEP_ALIVE_FRAME = ": FAREBOX PROCESSING\n\n";
