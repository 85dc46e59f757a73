/**
 * A Responses request as the OpenRouter chat request the chat use case serves: the input as
 * messages, function tools in chat's nesting, `text.format` as `response_format`,
 * `max_output_tokens` as `max_tokens`, `top_logprobs` with `logprobs`. The gateway is stateless
 * (as OpenRouter's Responses API is): `store: true`, `previous_response_id`, `conversation` and
 * `background` are refused with a 400 that says to send the whole conversation.
 */
import type { z } from "zod";
import { badRequest } from "../../domain/errors.js";
import { inputMessages } from "./input-messages.js";
import { responsesRequestSchema, type FunctionTool, type ResponsesRequest } from "./request-schema.js";

/** The validated request and its chat equivalent. */
export interface TranslatedRequest {
  request: ResponsesRequest;
  chat: Record<string, unknown>;
}

const STATELESS = "farebox does not store responses: send the whole conversation in `input` instead";

/** Validates a Responses body (400 naming the field) and translates it. */
export function toChatRequest(body: unknown): TranslatedRequest {
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw badRequest("The request body must be a JSON object.");
  const parsed = responsesRequestSchema.safeParse(body);
  if (!parsed.success) throw invalid(parsed.error);
  const request = parsed.data;
  if (request.store === true) throw badRequest(`store: true is not supported; ${STATELESS}`, { param: "store" });
  if (request.previous_response_id !== undefined && request.previous_response_id !== null) {
    throw badRequest(`previous_response_id is not supported; ${STATELESS}`, { param: "previous_response_id" });
  }
  if (request.conversation !== undefined && request.conversation !== null) throw badRequest(`conversation is not supported; ${STATELESS}`, { param: "conversation" });
  if (request.background === true) throw badRequest("background: true is not supported: responses are answered while the request is open", { param: "background" });
  return { request, chat: chatBody(request) };
}

function chatBody(request: ResponsesRequest): Record<string, unknown> {
  const chat: Record<string, unknown> = { messages: inputMessages(request) };
  const copy = (from: keyof ResponsesRequest, to: string = from) => {
    const value = request[from];
    if (value !== undefined && value !== null) chat[to] = value;
  };
  copy("model");
  copy("models");
  copy("stream");
  copy("max_output_tokens", "max_tokens");
  for (const key of ["temperature", "top_p", "top_k", "frequency_penalty", "presence_penalty", "parallel_tool_calls", "metadata"] as const) copy(key);
  for (const key of ["session_id", "prompt_cache_key", "service_tier", "provider", "cache_control", "modalities"] as const) copy(key);
  const user = request.user ?? request.safety_identifier;
  if (user) chat.user = user;
  if (request.top_logprobs !== undefined && request.top_logprobs !== null) {
    chat.logprobs = true;
    chat.top_logprobs = request.top_logprobs;
  }
  if (request.tools && request.tools.length > 0) chat.tools = request.tools.map(chatTool);
  const choice = request.tool_choice;
  if (choice !== undefined && choice !== null) chat.tool_choice = typeof choice === "string" ? choice : { type: "function", function: { name: choice.name } };
  const format = request.text?.format;
  if (format) {
    chat.response_format =
      format.type === "json_schema"
        ? { type: "json_schema", json_schema: { name: format.name, schema: format.schema, ...(format.description ? { description: format.description } : {}), ...(format.strict != null ? { strict: format.strict } : {}) } }
        : { type: format.type };
  }
  if (request.text?.verbosity) chat.verbosity = request.text.verbosity;
  const reasoning = chatReasoning(request.reasoning);
  if (reasoning) chat.reasoning = reasoning;
  return chat;
}

function chatTool(tool: FunctionTool): Record<string, unknown> {
  return {
    type: "function",
    function: {
      name: tool.name,
      ...(tool.description ? { description: tool.description } : {}),
      ...(tool.parameters ? { parameters: tool.parameters } : {}),
      ...(tool.strict != null ? { strict: tool.strict } : {}),
    },
  };
}

/** OpenRouter's reasoning control; asking for a summary alone turns reasoning on. */
function chatReasoning(reasoning: ResponsesRequest["reasoning"]): Record<string, unknown> | undefined {
  if (!reasoning) return undefined;
  const out: Record<string, unknown> = {};
  if (reasoning.effort) out.effort = reasoning.effort;
  if (reasoning.max_tokens) out.max_tokens = reasoning.max_tokens;
  if (reasoning.enabled != null) out.enabled = reasoning.enabled;
  if (reasoning.exclude != null) out.exclude = reasoning.exclude;
  if (Object.keys(out).length === 0 && reasoning.summary) out.enabled = true;
  return Object.keys(out).length > 0 ? out : undefined;
}

function invalid(error: z.ZodError): Error {
  const issue = deepest(error.issues);
  const path = (issue?.path ?? []).join(".");
  return badRequest(`Invalid ${path || "request"}: ${issue?.message ?? "invalid value"}`, { param: path });
}

/**
 * The issue to report: inside a union (`input` is a string or items), the one that went deepest
 * into the value, which names the field that is wrong rather than the union.
 */
function deepest(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[] = []): z.core.$ZodIssue | undefined {
  let best: z.core.$ZodIssue | undefined;
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    let candidate: z.core.$ZodIssue = { ...issue, path };
    if (issue.code === "invalid_union" && issue.errors.length > 0) candidate = deepest(issue.errors.flat(), path) ?? candidate;
    if (!best || candidate.path.length > best.path.length) best = candidate;
  }
  return best;
}
