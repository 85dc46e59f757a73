/**
 * Anthropic Messages response → normalized response. Content blocks: `text` joins into the
 * answer, `thinking` into reasoning, `tool_use` into tool calls. Anthropic's `input_tokens`
 * excludes cache reads and writes, so the normalized prompt count adds them back.
 */
import { ANTHROPIC_REASONING_FORMAT, normalizeStopReason } from "../../domain/anthropic-messages.js";
import { UpstreamError, type ChatResponse, type ReasoningDetail, type ToolCall, type Usage } from "../spec.js";
import type { ErrorDetails } from "../shared/exchange.js";
import { asArray, asRecord, asString, asTokenCount } from "../shared/json.js";

/** Reads Anthropic usage (as in a message or merged from message_start and message_delta). */
export function readAnthropicUsage(value: unknown): Usage {
  const usage = asRecord(value) ?? {};
  const cacheRead = asTokenCount(usage.cache_read_input_tokens);
  const cacheWrite = asTokenCount(usage.cache_creation_input_tokens);
  return {
    promptTokens: asTokenCount(usage.input_tokens) + cacheRead + cacheWrite,
    completionTokens: asTokenCount(usage.output_tokens),
    cachedPromptTokens: cacheRead,
    cacheWritePromptTokens: cacheWrite,
    reasoningTokens: 0,
  };
}

/**
 * A thinking block as a reasoning detail, its signature kept so the client can pass it back and
 * the next turn verifies (a redacted block's data is opaque: reasoning.encrypted).
 */
export function reasoningDetailOf(block: Record<string, unknown>, index: number): ReasoningDetail {
  if (block.type === "redacted_thinking") return { type: "reasoning.encrypted", data: asString(block.data) ?? "", format: ANTHROPIC_REASONING_FORMAT, index };
  const signature = asString(block.signature);
  return { type: "reasoning.text", text: asString(block.thinking) ?? "", ...(signature ? { signature } : {}), format: ANTHROPIC_REASONING_FORMAT, index };
}

/** Reads Anthropic's error body `{"type":"error","error":{"type","message"}}`. */
export function anthropicErrorDetails(json: unknown): ErrorDetails {
  const error = asRecord(asRecord(json)?.error);
  return { message: asString(error?.message), code: asString(error?.type) };
}

/**
 * Parses a complete Messages response; fails as invalid_response when it is not one. The input of
 * `jsonTool` (the tool forced to carry a response_format answer) is the answer's text.
 */
export function fromAnthropicResponse(json: unknown, requestedModel: string, jsonTool?: string): ChatResponse {
  const body = asRecord(json);
  if (!body || !Array.isArray(body.content)) {
    throw new UpstreamError("The provider's response has no content blocks", { kind: "invalid_response", rawBody: JSON.stringify(json) });
  }
  let text = "";
  let reasoning = "";
  const details: ReasoningDetail[] = [];
  const toolCalls: ToolCall[] = [];
  for (const [index, block] of asArray(body.content).map(asRecord).entries()) {
    if (!block) continue;
    if (block.type === "text") text += asString(block.text) ?? "";
    else if (block.type === "thinking" || block.type === "redacted_thinking") {
      reasoning += asString(block.thinking) ?? "";
      details.push(reasoningDetailOf(block, index));
    }
    else if (block.type === "tool_use" && jsonTool !== undefined && block.name === jsonTool) text += JSON.stringify(block.input ?? {});
    else if (block.type === "tool_use") {
      toolCalls.push({
        id: asString(block.id) ?? "",
        type: "function",
        function: { name: asString(block.name) ?? "", arguments: JSON.stringify(block.input ?? {}) },
      });
    }
  }
  const native = asString(body.stop_reason) ?? null;
  return {
    upstreamId: asString(body.id) ?? "",
    model: asString(body.model) ?? requestedModel,
    message: {
      role: "assistant",
      content: text === "" && toolCalls.length > 0 ? null : text,
      ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
      reasoning: reasoning === "" ? null : reasoning,
      ...(details.length > 0 ? { reasoning_details: details } : {}),
      refusal: null,
    },
    finishReason: normalizeStopReason(native === "tool_use" && toolCalls.length === 0 ? "end_turn" : native),
    nativeFinishReason: native,
    usage: readAnthropicUsage(body.usage),
    usageReported: asRecord(body.usage) !== undefined,
  };
}
