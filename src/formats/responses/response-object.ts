/**
 * The Responses `response` object (OpenRouter's `OpenResponsesResult`): the request's settings
 * echoed, the output items, the status the chat finish reason stands for, and the usage with
 * OpenRouter's cost. Shared by the whole answer (`responseFromChat`) and by the stream's
 * lifecycle events (stream-events.ts). The cost numbers are the chat answer's own, formatted
 * from exact nano-USD by the use case: this module does no arithmetic on money.
 */
import { messageReasoning, reasoningDrafts, reasoningItem } from "./reasoning-items.js";
import type { ResponsesRequest } from "./request-schema.js";

type Json = Record<string, unknown>;

/** What the translation back needs to know of the request. */
export interface ResponseContext {
  request: ResponsesRequest;
  /** `include` asked for `reasoning.encrypted_content`. */
  includeEncrypted: boolean;
}

/** The context of a validated request. */
export function responseContext(request: ResponsesRequest): ResponseContext {
  return { request, includeEncrypted: request.include?.includes("reasoning.encrypted_content") ?? false };
}

/** Identity of one response. */
export interface ResponseHeader {
  id: string;
  model: string;
  createdAt: number;
}

/** How the answer ended, in the Responses terms. */
export interface ResponseOutcome {
  status: "in_progress" | "completed" | "incomplete" | "failed";
  incompleteDetails?: { reason: "max_output_tokens" | "content_filter" };
  error?: { code: string; message: string };
}

/** The outcome a chat finish reason stands for. */
export function outcomeOf(finishReason: string | null | undefined): ResponseOutcome {
  if (finishReason === "length") return { status: "incomplete", incompleteDetails: { reason: "max_output_tokens" } };
  if (finishReason === "content_filter") return { status: "incomplete", incompleteDetails: { reason: "content_filter" } };
  if (finishReason === "error") return { status: "failed", error: { code: "server_error", message: "The provider stopped with an error." } };
  return { status: "completed" };
}

/** The `code` of a Responses error for an HTTP status. */
export function errorCodeFor(httpStatus: number): string {
  if (httpStatus === 429) return "rate_limit_exceeded";
  if (httpStatus === 400 || httpStatus === 413) return "invalid_prompt";
  return "server_error";
}

/** An output item's id: a kind prefix, the generation, the item's place. */
export function itemId(prefix: "msg" | "rs" | "fc", header: ResponseHeader, outputIndex: number): string {
  return `${prefix}-${header.id.replace(/^gen-/, "")}-${outputIndex}`;
}

/** The response object at any point of its life. */
export function responseObject(context: ResponseContext, header: ResponseHeader, outcome: ResponseOutcome, output: Json[], usage?: Json, completedAt?: number): Json {
  const request = context.request;
  return {
    id: header.id,
    object: "response",
    created_at: header.createdAt,
    completed_at: outcome.status === "completed" ? (completedAt ?? header.createdAt) : null,
    status: outcome.status,
    error: outcome.error ?? null,
    incomplete_details: outcome.incompleteDetails ?? null,
    model: header.model,
    output,
    output_text: outputText(output),
    instructions: request.instructions ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    max_tool_calls: null,
    metadata: request.metadata ?? null,
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    previous_response_id: null,
    temperature: request.temperature ?? null,
    top_p: request.top_p ?? null,
    top_logprobs: request.top_logprobs ?? 0,
    presence_penalty: request.presence_penalty ?? null,
    frequency_penalty: request.frequency_penalty ?? null,
    tool_choice: request.tool_choice ?? "auto",
    tools: (request.tools ?? []).map((tool) => ({ type: "function", name: tool.name, description: tool.description ?? null, parameters: tool.parameters ?? null, strict: tool.strict ?? null })),
    text: { format: request.text?.format ?? { type: "text" }, ...(request.text?.verbosity ? { verbosity: request.text.verbosity } : {}) },
    reasoning: request.reasoning ? { effort: request.reasoning.effort ?? null, summary: request.reasoning.summary ?? null } : null,
    truncation: request.truncation ?? "disabled",
    service_tier: request.service_tier ?? "auto",
    store: false,
    background: false,
    ...(request.user ? { user: request.user } : {}),
    ...(request.safety_identifier ? { safety_identifier: request.safety_identifier } : {}),
    ...(usage ? { usage } : {}),
  };
}

function outputText(output: Json[]): string {
  let text = "";
  for (const item of output) {
    if (item.type !== "message") continue;
    for (const part of item.content as Json[]) if (part.type === "output_text") text += String(part.text);
  }
  return text;
}

/** The chat usage (with OpenRouter's cost) in the Responses shape. */
export function responsesUsage(usage: Json | undefined): Json | undefined {
  if (!usage) return undefined;
  const count = (value: unknown) => (typeof value === "number" ? value : 0);
  const prompt = (usage.prompt_tokens_details ?? {}) as Json;
  const completion = (usage.completion_tokens_details ?? {}) as Json;
  const costs = usage.cost_details as Json | undefined;
  return {
    input_tokens: count(usage.prompt_tokens),
    input_tokens_details: { cached_tokens: count(prompt.cached_tokens), cache_write_tokens: count(prompt.cache_write_tokens) },
    output_tokens: count(usage.completion_tokens),
    output_tokens_details: { reasoning_tokens: count(completion.reasoning_tokens) },
    total_tokens: count(usage.total_tokens),
    ...(usage.cost !== undefined ? { cost: usage.cost } : {}),
    ...(usage.is_byok !== undefined ? { is_byok: usage.is_byok } : {}),
    ...(costs
      ? {
          cost_details: {
            upstream_inference_cost: costs.upstream_inference_cost ?? null,
            upstream_inference_input_cost: costs.upstream_inference_prompt_cost ?? 0,
            upstream_inference_output_cost: costs.upstream_inference_completions_cost ?? 0,
          },
        }
      : {}),
  };
}

/** An `output_text` part; `logprobs` are chat's per-token entries, which have the same shape. */
export function outputTextPart(text: string, logprobs?: unknown[]): Json {
  return { type: "output_text", text, annotations: [], ...(logprobs ? { logprobs } : {}) };
}

/** A non-stream chat completion body as the response object, completed at `completedAt` (unix seconds). */
export function responseFromChat(context: ResponseContext, chat: Json, completedAt: number): Json {
  const choice = ((chat.choices as Json[] | undefined) ?? [])[0] ?? {};
  const message = (choice.message ?? {}) as Json;
  const header: ResponseHeader = { id: String(chat.id), model: String(chat.model), createdAt: Number(chat.created) };
  const outcome = outcomeOf(choice.finish_reason as string | null);
  const itemStatus = outcome.status === "incomplete" ? "incomplete" : "completed";
  const output: Json[] = [];
  // reasoning items come first, so their output index is their count
  for (const draft of reasoningDrafts(messageReasoning(message), (n) => itemId("rs", header, n))) output.push(reasoningItem(draft, context.includeEncrypted, itemStatus));
  const parts: Json[] = [];
  const logprobs = (choice.logprobs as Json | null | undefined)?.content as unknown[] | undefined;
  if (typeof message.content === "string" && message.content !== "") parts.push(outputTextPart(message.content, logprobs));
  if (typeof message.refusal === "string" && message.refusal !== "") parts.push({ type: "refusal", refusal: message.refusal });
  if (parts.length > 0) output.push({ type: "message", id: itemId("msg", header, output.length), role: "assistant", status: itemStatus, content: parts });
  for (const call of (message.tool_calls as Json[] | undefined) ?? []) {
    const fn = call.function as Json;
    output.push({ type: "function_call", id: itemId("fc", header, output.length), call_id: call.id, name: fn.name, arguments: fn.arguments, status: "completed" });
  }
  return responseObject(context, header, outcome, output, responsesUsage(chat.usage as Json | undefined), completedAt);
}
