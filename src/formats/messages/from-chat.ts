/**
 * The chat completion body (what the chat use case answers) → Anthropic's `Message`: reasoning
 * details become thinking blocks (signature kept) or redacted_thinking, then the text, then one
 * tool_use block per tool call; the finish reason becomes a stop_reason; usage is split back
 * into Anthropic's classes (input_tokens excludes cache reads and writes).
 */
import { anthropicStopReason, thinkingBlocksOf, toolInputOf, type ReasoningDetailLike } from "../../domain/anthropic-messages.js";
import type { MessagesResponse, MessagesUsage, ResponseBlock } from "./response-schema.js";

/** The parts of a chat completion body this translation reads. */
export interface ChatCompletionBody {
  id: string;
  model: string;
  provider?: string;
  choices: Array<{
    finish_reason: string | null;
    native_finish_reason?: string | null;
    message: {
      content: string | null;
      reasoning?: string | null;
      reasoning_details?: unknown[];
      tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>;
    };
  }>;
  usage?: ChatUsage;
}

/** The chat `usage` object's counts. */
export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number; cache_write_tokens?: number };
  completion_tokens_details?: { reasoning_tokens?: number };
  cost?: number;
  is_byok?: boolean;
  cost_details?: Record<string, unknown>;
}

/** Translates a chat completion body. */
export function chatToMessage(body: ChatCompletionBody): MessagesResponse {
  const choice = body.choices[0];
  const message = choice?.message;
  const content: ResponseBlock[] = thinkingBlocks(message?.reasoning_details, message?.reasoning);
  if (message?.content) content.push({ type: "text", text: message.content, citations: null });
  for (const call of message?.tool_calls ?? []) {
    content.push({ type: "tool_use", id: call.id, caller: { type: "direct" }, name: call.function.name, input: toolInputOf(call.function.arguments) });
  }
  return {
    id: body.id,
    type: "message",
    role: "assistant",
    model: body.model,
    ...(body.provider === undefined ? {} : { provider: body.provider }),
    container: null,
    content,
    stop_reason: anthropicStopReason(choice?.finish_reason ?? null, choice?.native_finish_reason),
    stop_details: null,
    stop_sequence: null,
    usage: messagesUsage(body.usage),
  };
}

/** Chat usage as Anthropic's classes, with OpenRouter's cost fields when the chat usage has them. */
export function messagesUsage(usage: ChatUsage | undefined): MessagesUsage {
  const cacheRead = usage?.prompt_tokens_details?.cached_tokens ?? 0;
  const cacheWrite = usage?.prompt_tokens_details?.cache_write_tokens ?? 0;
  const reasoning = usage?.completion_tokens_details?.reasoning_tokens;
  return {
    input_tokens: Math.max(0, (usage?.prompt_tokens ?? 0) - cacheRead - cacheWrite),
    output_tokens: usage?.completion_tokens ?? 0,
    cache_creation_input_tokens: cacheWrite,
    cache_read_input_tokens: cacheRead,
    cache_creation: null,
    inference_geo: null,
    output_tokens_details: reasoning ? { thinking_tokens: reasoning } : null,
    server_tool_use: null,
    service_tier: null,
    ...(usage?.cost === undefined ? {} : { cost: usage.cost }),
    ...(usage?.is_byok === undefined ? {} : { is_byok: usage.is_byok }),
    ...(usage?.cost_details === undefined ? {} : { cost_details: usage.cost_details }),
  };
}

/**
 * Reasoning details as thinking blocks (see thinkingBlocksOf; summaries read as thinking text).
 * Reasoning given only as text (upstreams without details) is one unsigned thinking block.
 */
export function thinkingBlocks(details: readonly unknown[] | undefined, reasoning: string | null | undefined): ResponseBlock[] {
  const read = (details ?? []).map((raw) => {
    const detail = (raw ?? {}) as ReasoningDetailLike & { summary?: unknown };
    return detail.type === "reasoning.summary" ? { ...detail, type: "reasoning.text", text: detail.summary } : detail;
  });
  const blocks = thinkingBlocksOf(read);
  if (blocks.length === 0 && reasoning) return [{ type: "thinking", thinking: reasoning, signature: "" }];
  return blocks;
}
