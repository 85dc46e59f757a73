/**
 * Normalized request → OpenAI Chat Completions body
 * (https://platform.openai.com/docs/api-reference/chat/create). The normalized request already is
 * this shape, so translation is mostly choosing what to send: optional fields the endpoint does
 * not list in `supportedParameters` are dropped, since strict upstreams reject unknown fields.
 * `name` on messages and a trailing assistant message (a prefill to continue) pass as they are;
 * `user` leaves only as its keyed hash.
 */
import type { AdapterContext, ChatMessage, ChatRequest, ReasoningConfig } from "../spec.js";
import { upstreamEndUser } from "../shared/end-user.js";
import { accepts } from "../shared/json.js";
import { SAMPLING_FIELDS } from "../../domain/sampling-fields.js";

const OPTIONAL_FIELDS = [
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "response_format",
  ...SAMPLING_FIELDS,
  "logprobs",
  "top_logprobs",
  "prediction",
  "service_tier",
  "modalities",
  "verbosity",
  "prompt_cache_key",
] as const;

/** The JSON body for `POST {base}/chat/completions`. */
export function toOpenAIBody(request: ChatRequest, context: AdapterContext, stream: boolean): Record<string, unknown> {
  const supported = context.supportedParameters;
  const keepCache = accepts(supported, "cache_control");
  // OpenRouter-compatible upstreams (they list `reasoning`) take reasoning_details back for signed reasoning
  const keepReasoningDetails = supported?.includes("reasoning") === true;
  const body: Record<string, unknown> = {
    model: request.model,
    messages: request.messages.map((message) => toWireMessage(message, keepCache, keepReasoningDetails)),
  };
  for (const field of OPTIONAL_FIELDS) {
    const value = request[field];
    if (value !== undefined && accepts(supported, field)) body[field] = value;
  }
  // a tool's cache breakpoint goes only where the endpoint takes cache_control, like the messages'
  if (Array.isArray(body.tools) && !keepCache) body.tools = request.tools?.map(({ cache_control: _breakpoint, ...tool }) => tool);
  const endUser = upstreamEndUser(request);
  if (endUser !== undefined && accepts(supported, "user")) body.user = endUser;
  if (request.max_tokens !== undefined) {
    // an upstream that lists max_completion_tokens takes it (OpenAI's reasoning models take only it)
    const useCompletionField = supported !== undefined && supported.includes("max_completion_tokens");
    body[useCompletionField ? "max_completion_tokens" : "max_tokens"] = request.max_tokens;
  }
  if (request.reasoning !== undefined) {
    // OpenAI's own API takes `reasoning_effort`; OpenRouter-compatible upstreams take the whole object.
    const effort = reasoningEffort(request.reasoning);
    const objectForm = supported?.includes("reasoning") === true && !supported.includes("reasoning_effort");
    if (objectForm) body.reasoning = request.reasoning;
    else if (effort !== undefined && accepts(supported, "reasoning_effort")) body.reasoning_effort = effort;
  }
  if (stream) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  return body;
}

/**
 * OpenAI's `reasoning_effort` for OpenRouter's reasoning object: the effort as given ("max" is
 * OpenAI's "xhigh"), else one derived from a token budget, "medium" for a bare `enabled: true`,
 * and nothing when reasoning is switched off (the model's default then applies).
 */
export function reasoningEffort(reasoning: ReasoningConfig): string | undefined {
  if (reasoning.enabled === false) return undefined;
  if (reasoning.effort !== undefined) return reasoning.effort === "max" ? "xhigh" : reasoning.effort;
  if (reasoning.max_tokens !== undefined) return reasoning.max_tokens <= 2_048 ? "low" : reasoning.max_tokens <= 8_192 ? "medium" : "high";
  return reasoning.enabled === true ? "medium" : undefined;
}

/** Content with cache breakpoints removed, for upstreams that reject the field. */
function withoutCache<T>(content: T): T {
  if (!Array.isArray(content)) return content;
  return content.map((part: Record<string, unknown>) => {
    if (part.cache_control === undefined) return part;
    const { cache_control: _dropped, ...rest } = part;
    return rest;
  }) as T;
}

function toWireMessage(original: ChatMessage, keepCache: boolean, keepReasoningDetails: boolean): Record<string, unknown> {
  const message = keepCache ? original : ({ ...original, content: withoutCache(original.content) } as ChatMessage);
  switch (message.role) {
    case "assistant": {
      const wire: Record<string, unknown> = { role: "assistant", content: message.content ?? null };
      // a tool call's cache_control is Anthropic's alone: OpenAI's tool calls have no such field
      if (message.tool_calls && message.tool_calls.length > 0) wire.tool_calls = message.tool_calls.map(({ cache_control: _breakpoint, ...call }) => call);
      if (message.name !== undefined) wire.name = message.name;
      if (keepReasoningDetails && message.reasoning_details && message.reasoning_details.length > 0) wire.reasoning_details = message.reasoning_details;
      return wire;
    }
    case "tool":
      return { role: "tool", tool_call_id: message.tool_call_id, content: message.content };
    default:
      return message.name === undefined
        ? { role: message.role, content: message.content }
        : { role: message.role, content: message.content, name: message.name };
  }
}
