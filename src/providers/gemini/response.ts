/**
 * Gemini `GenerateContentResponse` → normalized response. Parts with `thought: true` are
 * reasoning; `functionCall` parts become tool calls (Gemini has no call ids, so one is minted).
 * Usage: `promptTokenCount` already includes cached tokens; output is candidates + thoughts.
 */
import { randomAlphanumeric } from "../../domain/ids.js";
import { UpstreamError, type ChatResponse, type FinishReason, type Logprobs, type ReasoningDetail, type ToolCall, type Usage } from "../spec.js";
import type { ErrorDetails } from "../shared/exchange.js";
import { asArray, asRecord, asString, asTokenCount } from "../shared/json.js";

const FILTERED = new Set(["SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY", "LANGUAGE", "OTHER_SAFETY"]);

/** Maps Gemini's finishReason to the normalized set (function calls finish as tool_calls). */
export function normalizeGeminiFinish(native: string, hasToolCalls: boolean): FinishReason {
  if (native === "MAX_TOKENS") return "length";
  if (FILTERED.has(native)) return "content_filter";
  if (native === "MALFORMED_FUNCTION_CALL" || native === "UNEXPECTED_TOOL_CALL") return "error";
  return hasToolCalls ? "tool_calls" : "stop";
}

/** Reads `usageMetadata`. */
export function readGeminiUsage(value: unknown): Usage {
  const usage = asRecord(value) ?? {};
  const thoughts = asTokenCount(usage.thoughtsTokenCount);
  return {
    promptTokens: asTokenCount(usage.promptTokenCount) + asTokenCount(usage.toolUsePromptTokenCount),
    completionTokens: asTokenCount(usage.candidatesTokenCount) + thoughts,
    cachedPromptTokens: asTokenCount(usage.cachedContentTokenCount),
    cacheWritePromptTokens: 0,
    reasoningTokens: thoughts,
  };
}

/** Reads Google's error body `{"error":{"code","message","status","details":[RetryInfo…]}}`. */
export function geminiErrorDetails(json: unknown): ErrorDetails {
  const error = asRecord(asRecord(json)?.error);
  if (!error) return {};
  let retryAfterMs: number | undefined;
  for (const detail of asArray(error.details).map(asRecord)) {
    const delay = asString(detail?.retryDelay);
    const match = delay === undefined ? null : /^(\d+(?:\.\d+)?)s$/.exec(delay);
    if (match) retryAfterMs = Math.ceil(Number(match[1]) * 1000);
  }
  return { message: asString(error.message), code: asString(error.status), ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
}

/**
 * Gemini 3 signs function calls (`thoughtSignature`) and rejects a later turn that replays the
 * call without it. Clients only keep the OpenAI tool-call id, so the signature rides inside it:
 * `call_<random>` + SIGNATURE_MARK + signature. Stateless, and echoed back verbatim by clients.
 */
export const SIGNATURE_MARK = "__thought_signature__";

/** Splits a tool-call id minted by toToolCall into its signature (if any). */
export function signatureFromId(id: string): string | undefined {
  const at = id.indexOf(SIGNATURE_MARK);
  return at === -1 ? undefined : id.slice(at + SIGNATURE_MARK.length);
}

/** A Gemini functionCall part as a normalized tool call with a minted id. */
export function toToolCall(part: Record<string, unknown>): ToolCall {
  const call = asRecord(part.functionCall) ?? {};
  const signature = asString(part.thoughtSignature);
  const id = asString(call.id) ?? `call_${randomAlphanumeric(24)}`;
  return {
    id: signature === undefined ? id : `${id}${SIGNATURE_MARK}${signature}`,
    type: "function",
    function: { name: asString(call.name) ?? "", arguments: JSON.stringify(call.args ?? {}) },
  };
}

/** Splits a candidate's parts into answer text, reasoning and tool calls. */
export function readParts(candidate: Record<string, unknown> | undefined): { text: string; reasoning: string; calls: ToolCall[] } {
  let text = "";
  let reasoning = "";
  const calls: ToolCall[] = [];
  for (const part of asArray(asRecord(candidate?.content)?.parts).map(asRecord)) {
    if (!part) continue;
    if (part.functionCall !== undefined) calls.push(toToolCall(part));
    else if (part.thought === true) reasoning += asString(part.text) ?? "";
    else text += asString(part.text) ?? "";
  }
  return { text, reasoning, calls };
}

/** The `format` OpenRouter gives Gemini's reasoning_details. */
const GEMINI_REASONING_FORMAT = "google-gemini-v1";

/** Thought text as reasoning_details (Gemini's signatures ride on tool-call ids, see SIGNATURE_MARK). */
export function geminiReasoningDetails(reasoning: string): ReasoningDetail[] | undefined {
  return reasoning === "" ? undefined : [{ type: "reasoning.text", text: reasoning, format: GEMINI_REASONING_FORMAT, index: 0 }];
}

/**
 * A candidate's `logprobsResult` (chosen tokens, and the top alternatives at each step) in
 * OpenAI's logprobs shape: `content[]` of `{token, logprob, bytes, top_logprobs[]}`.
 */
export function readGeminiLogprobs(candidate: Record<string, unknown> | undefined): Logprobs | undefined {
  const result = asRecord(candidate?.logprobsResult);
  if (!result) return undefined;
  const top = asArray(result.topCandidates).map((step) => asArray(asRecord(step)?.candidates).map(asRecord));
  const entry = (token: Record<string, unknown> | undefined) => {
    const text = asString(token?.token) ?? "";
    const logprob = token?.logProbability;
    return { token: text, logprob: typeof logprob === "number" ? logprob : 0, bytes: [...Buffer.from(text, "utf8")] };
  };
  const content = asArray(result.chosenCandidates).map((chosen, step) => ({
    ...entry(asRecord(chosen)),
    top_logprobs: (top[step] ?? []).map(entry),
  }));
  return { content, refusal: null };
}

/** Parses a complete response; fails as invalid_response when it is not one. */
export function fromGeminiResponse(json: unknown, requestedModel: string): ChatResponse {
  const body = asRecord(json);
  if (!body || (body.candidates === undefined && body.promptFeedback === undefined)) {
    throw new UpstreamError("The provider's response has no candidates", { kind: "invalid_response", rawBody: JSON.stringify(json) });
  }
  const candidate = asRecord(asArray(body.candidates)[0]);
  const { text, reasoning, calls } = readParts(candidate);
  const blocked = asString(asRecord(body.promptFeedback)?.blockReason);
  const native = asString(candidate?.finishReason) ?? blocked ?? null;
  const details = geminiReasoningDetails(reasoning);
  const logprobs = readGeminiLogprobs(candidate);
  return {
    upstreamId: asString(body.responseId) ?? "",
    model: asString(body.modelVersion) ?? requestedModel,
    message: {
      role: "assistant",
      content: text === "" && calls.length > 0 ? null : text,
      ...(calls.length > 0 ? { tool_calls: calls } : {}),
      reasoning: reasoning === "" ? null : reasoning,
      ...(details ? { reasoning_details: details } : {}),
      refusal: null,
    },
    ...(logprobs ? { logprobs } : {}),
    finishReason: candidate ? normalizeGeminiFinish(native ?? "STOP", calls.length > 0) : "content_filter",
    nativeFinishReason: native,
    usage: readGeminiUsage(body.usageMetadata),
    usageReported: asRecord(body.usageMetadata) !== undefined,
  };
}
