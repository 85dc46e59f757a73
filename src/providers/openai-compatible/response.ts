/**
 * OpenAI Chat Completions response → normalized response, plus the pieces the stream reuses:
 * usage (cached tokens under `prompt_tokens_details.cached_tokens`, or DeepSeek's
 * `prompt_cache_hit_tokens`; reasoning under `completion_tokens_details`) and finish reasons.
 */
import { UpstreamError, type ChatResponse, type FinishReason, type ReasoningDetail, type ToolCall, type Usage } from "../spec.js";
import type { ErrorDetails } from "../shared/exchange.js";
import { asArray, asRecord, asString, asTokenCount } from "../shared/json.js";

/** Maps an OpenAI-style finish_reason to the normalized set. */
export function normalizeFinishReason(native: string): FinishReason {
  switch (native.toLowerCase()) {
    case "length":
    case "max_tokens":
      return "length";
    case "tool_calls":
    case "function_call":
      return "tool_calls";
    case "content_filter":
      return "content_filter";
    case "error":
      return "error";
    default:
      return "stop";
  }
}

/** What an absent object reads as (only read, never written): one, not a new `{}` per read. */
const NONE: Readonly<Record<string, unknown>> = Object.freeze({});

/** Reads an OpenAI `usage` object (absent fields count as zero, a count that is no number as NaN). */
export function readUsage(value: unknown): Usage {
  const usage = asRecord(value) ?? NONE;
  const promptDetails = asRecord(usage.prompt_tokens_details) ?? NONE;
  const completionDetails = asRecord(usage.completion_tokens_details) ?? NONE;
  const cached = asTokenCount(promptDetails.cached_tokens);
  return {
    promptTokens: asTokenCount(usage.prompt_tokens),
    completionTokens: asTokenCount(usage.completion_tokens),
    cachedPromptTokens: cached !== 0 ? cached : asTokenCount(usage.prompt_cache_hit_tokens),
    cacheWritePromptTokens: asTokenCount(promptDetails.cache_write_tokens),
    reasoningTokens: asTokenCount(completionDetails.reasoning_tokens),
  };
}

/**
 * reasoning_details as an OpenRouter-compatible upstream sends them (OpenAI's own API has none):
 * passed on as given, entries that are not objects with a `type` left out.
 */
export function readReasoningDetails(value: unknown): ReasoningDetail[] | undefined {
  // most answers and stream deltas carry none: no empty arrays made to find that out
  if (!Array.isArray(value)) return undefined;
  const details = value
    .map(asRecord)
    .filter((detail) => typeof detail?.type === "string") as unknown as ReasoningDetail[];
  return details.length > 0 ? details : undefined;
}

/** Reads OpenAI's error body `{"error":{"message","type","code"}}`. */
export function openAIErrorDetails(json: unknown): ErrorDetails {
  const error = asRecord(asRecord(json)?.error);
  if (!error) return { message: asString(asRecord(json)?.message) };
  const code = error.code ?? error.type;
  return {
    message: asString(error.message),
    code: typeof code === "string" || typeof code === "number" ? String(code) : undefined,
  };
}

function readToolCalls(value: unknown): ToolCall[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const calls = value
    .map(asRecord)
    .filter((call) => call !== undefined)
    .map((call) => {
      const fn = asRecord(call.function) ?? {};
      const args = fn.arguments;
      return {
        id: asString(call.id) ?? "",
        type: "function" as const,
        function: { name: asString(fn.name) ?? "", arguments: typeof args === "string" ? args : JSON.stringify(args ?? {}) },
      };
    });
  return calls.length > 0 ? calls : undefined;
}

/** Parses a complete response body; fails as invalid_response when it is not one. */
export function fromOpenAIResponse(json: unknown, requestedModel: string): ChatResponse {
  const body = asRecord(json);
  const choice = asRecord(asArray(body?.choices)[0]);
  const message = asRecord(choice?.message);
  if (!body || !choice || !message) {
    throw new UpstreamError("The provider's response has no choices[0].message", {
      kind: "invalid_response",
      rawBody: JSON.stringify(json),
    });
  }
  const native = asString(choice.finish_reason) ?? null;
  const toolCalls = readToolCalls(message.tool_calls);
  const reasoning = asString(message.reasoning) ?? asString(message.reasoning_content) ?? null;
  const details = readReasoningDetails(message.reasoning_details);
  const logprobs = asRecord(choice.logprobs);
  return {
    upstreamId: asString(body.id) ?? "",
    model: asString(body.model) ?? requestedModel,
    message: {
      role: "assistant",
      content: asString(message.content) ?? null,
      ...(toolCalls ? { tool_calls: toolCalls } : {}),
      reasoning,
      ...(details ? { reasoning_details: details } : {}),
      refusal: asString(message.refusal) ?? null,
    },
    ...(logprobs ? { logprobs } : {}),
    finishReason: native === null ? (toolCalls ? "tool_calls" : "stop") : normalizeFinishReason(native),
    nativeFinishReason: native,
    usage: readUsage(body.usage),
    usageReported: asRecord(body.usage) !== undefined,
    systemFingerprint: asString(body.system_fingerprint) ?? null,
  };
}
