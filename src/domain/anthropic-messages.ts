/**
 * Pure facts of Anthropic's Messages wire format that both edges need: the provider adapter
 * (providers/anthropic, which speaks it to Claude) and the inbound format (formats/messages,
 * which speaks it to clients). Written once here so the two directions cannot drift.
 * https://docs.anthropic.com/en/api/messages and https://docs.anthropic.com/en/api/errors
 */

/** The normalized finish reasons (chat completions' `finish_reason`). */
export type NormalizedFinish = "stop" | "length" | "tool_calls" | "content_filter" | "error";

/** Anthropic's `stop_reason` values. */
export const ANTHROPIC_STOP_REASONS = ["end_turn", "max_tokens", "stop_sequence", "tool_use", "pause_turn", "refusal", "model_context_window_exceeded"] as const;
export type AnthropicStopReason = (typeof ANTHROPIC_STOP_REASONS)[number];

/** Maps Anthropic's stop_reason to the normalized set. */
export function normalizeStopReason(native: string | null): NormalizedFinish {
  switch (native) {
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length";
    case "tool_use":
      return "tool_calls";
    case "refusal":
      return "content_filter";
    default:
      return "stop";
  }
}

/**
 * The stop_reason for a normalized finish: the upstream's own when it was Anthropic's (nothing
 * lost: stop_sequence, pause_turn), else the nearest one.
 */
export function anthropicStopReason(finish: string | null, native: string | null | undefined): AnthropicStopReason {
  if (native && (ANTHROPIC_STOP_REASONS as readonly string[]).includes(native) && normalizeStopReason(native) === finish) return native as AnthropicStopReason;
  switch (finish) {
    case "length":
      return "max_tokens";
    case "tool_calls":
      return "tool_use";
    case "content_filter":
      return "refusal";
    default:
      return "end_turn";
  }
}

/** The `format` OpenRouter gives Claude's reasoning_details. */
export const ANTHROPIC_REASONING_FORMAT = "anthropic-claude-v1";

const STATUS_BY_ERROR_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/** HTTP status an Anthropic error type stands for (for errors arriving inside a stream). */
export function statusForErrorType(type: string | undefined): number {
  return (type !== undefined ? STATUS_BY_ERROR_TYPE[type] : undefined) ?? 500;
}

/**
 * The Anthropic error type for an HTTP status, as OpenRouter's Messages route answers it (its
 * envelope knows no request_too_large: a 413 is an invalid request; a 503 is overloaded).
 */
export function errorTypeForStatus(status: number): string {
  switch (status) {
    case 401:
      return "authentication_error";
    case 402:
      return "billing_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 429:
      return "rate_limit_error";
    case 503:
    case 529:
      return "overloaded_error";
    case 504:
    case 408:
      return "timeout_error";
    default:
      return status >= 500 ? "api_error" : "invalid_request_error";
  }
}

/** A reasoning detail as OpenRouter shapes it (chat's `reasoning_details` items), read loosely. */
export interface ReasoningDetailLike {
  type?: unknown;
  text?: unknown;
  signature?: unknown;
  data?: unknown;
  index?: unknown;
}

/** A Claude thinking block, or its redacted form. */
export type ThinkingBlock = { type: "thinking"; thinking: string; signature: string } | { type: "redacted_thinking"; data: string };

/**
 * Reasoning details as Claude's thinking blocks: `reasoning.text` pieces of one index (a streamed
 * answer's details arrive as text deltas, then the signature) join into one block with its
 * signature ("" when none came); `reasoning.encrypted` is redacted_thinking. Other types are left out.
 */
export function thinkingBlocksOf(details: readonly ReasoningDetailLike[]): ThinkingBlock[] {
  const blocks: Array<{ key: string; block: ThinkingBlock }> = [];
  for (const detail of details) {
    if (detail.type === "reasoning.encrypted" && typeof detail.data === "string") {
      blocks.push({ key: `redacted:${blocks.length}`, block: { type: "redacted_thinking", data: detail.data } });
      continue;
    }
    if (detail.type !== "reasoning.text") continue;
    const key = `text:${typeof detail.index === "number" ? detail.index : 0}`;
    const text = typeof detail.text === "string" ? detail.text : "";
    const signature = typeof detail.signature === "string" ? detail.signature : "";
    const open = blocks.at(-1);
    if (open?.key === key && open.block.type === "thinking") {
      open.block.thinking += text;
      if (signature !== "") open.block.signature = signature;
    } else {
      blocks.push({ key, block: { type: "thinking", thinking: text, signature } });
    }
  }
  return blocks.map(({ block }) => block);
}

/**
 * A tool call's `arguments` (JSON text) as the object Claude's `input` is: text that is no JSON
 * object is kept under `arguments` rather than lost.
 */
export function toolInputOf(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // not JSON: kept as text below
  }
  return text.trim() === "" ? {} : { arguments: text };
}
