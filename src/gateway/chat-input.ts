/**
 * The inbound chat completion body (OpenAI Chat Completions plus OpenRouter's extensions, and
 * farebox's own for Claude: `is_error` on a tool message, `cache_control` on a tool call),
 * validated with zod into the normalized provider request and the router's view of it.
 * Unknown fields are ignored, as OpenRouter ignores what it does not apply; malformed known
 * fields answer 400 naming the field.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { badRequest } from "../domain/errors.js";
import { once } from "../domain/once.js";
import { parseBody } from "../domain/invalid-body.js";
import { storableText } from "../domain/storable-text.js";
import { estimatePromptTokens, hasImageParts, hasPartOfType } from "../routing/estimate-tokens.js";
import { parseProviderPreferences } from "../routing/preferences.js";
import type { RoutingRequest } from "../routing/types.js";
import type { CacheControl, ChatMessage, ChatRequest, ContentPart } from "../providers/spec.js";

/** A prompt-cache breakpoint (Anthropic's shape, which OpenRouter takes on any content part). */
const cacheControl = z.object({ type: z.literal("ephemeral"), ttl: z.enum(["5m", "1h"]).optional() });
const cache = { cache_control: cacheControl.optional() };
const text = z.object({ type: z.literal("text"), text: z.string(), ...cache });
const image = z.object({
  type: z.literal("image_url"),
  image_url: z.object({ url: z.string().min(1), detail: z.enum(["auto", "low", "high"]).optional() }),
  ...cache,
});
const file = z.object({
  type: z.literal("file"),
  file: z
    .object({ filename: z.string().optional(), file_data: z.string().min(1).optional(), file_id: z.string().min(1).optional() })
    .refine((value) => value.file_data !== undefined || value.file_id !== undefined, "a file needs file_data or file_id"),
  ...cache,
});
const audio = z.object({
  type: z.literal("input_audio"),
  input_audio: z.object({ data: z.string().min(1), format: z.string().min(1) }),
  ...cache,
});
const reasoningDetail = z.discriminatedUnion("type", [
  z.object({ type: z.literal("reasoning.text"), text: z.string().nullish(), signature: z.string().nullish() }).passthrough(),
  z.object({ type: z.literal("reasoning.summary"), summary: z.string() }).passthrough(),
  z.object({ type: z.literal("reasoning.encrypted"), data: z.string() }).passthrough(),
]);
const toolCall = z.object({
  id: z.string(),
  type: z.literal("function"),
  function: z.object({ name: z.string(), arguments: z.string() }),
  // farebox extension: Anthropic's breakpoint on a tool_use block (Claude only)
  ...cache,
});
const textContent = z.union([z.string(), z.array(text)]);
const message = z.discriminatedUnion("role", [
  z.object({ role: z.enum(["system", "developer"]), content: textContent, name: z.string().optional() }),
  z.object({
    role: z.literal("user"),
    content: z.union([z.string(), z.array(z.discriminatedUnion("type", [text, image, file, audio]))]),
    name: z.string().optional(),
  }),
  z.object({
    role: z.literal("assistant"),
    content: textContent.nullish(),
    name: z.string().optional(),
    tool_calls: z.array(toolCall).optional(),
    reasoning: z.string().nullish(),
    // unknown detail types (a provider's own) are kept out rather than failing the turn
    reasoning_details: z
      .array(z.unknown())
      .nullish()
      .transform((details) => details?.flatMap((detail) => {
        const parsed = reasoningDetail.safeParse(detail);
        return parsed.success ? [parsed.data] : [];
      })),
    refusal: z.string().nullish(),
  }),
  z.object({
    role: z.literal("tool"),
    content: textContent,
    tool_call_id: z.string(),
    name: z.string().optional(),
    // farebox extension: Anthropic's tool_result is_error (Claude only)
    is_error: z.boolean().optional(),
  }),
]);
const tool = z.object({
  type: z.literal("function"),
  function: z.object({
    name: z.string().min(1),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullish().transform((v) => v ?? undefined),
  }),
  ...cache,
});
const positiveInt = z.number().int().positive();
/** OpenRouter's request metadata: at most 16 pairs, keys ≤ 64 characters, values ≤ 512. */
const requestMetadata = z
  .record(storableText().max(64), storableText().max(512))
  .refine((pairs) => Object.keys(pairs).length <= 16, "at most 16 metadata pairs");

const effort = z.enum(["max", "xhigh", "high", "medium", "low", "minimal", "none"]);

/** The chat completion body (OpenAI Chat Completions plus OpenRouter's extensions); also the route's documented schema. */
export const chatRequestBody = z.object({
  model: storableText().optional(),
  models: z.array(storableText()).optional(),
  messages: z.array(message).min(1, "messages must not be empty").optional(),
  /** OpenRouter's alternative to `messages`: raw prompt text (legacy completions style). */
  prompt: z.string().min(1, "prompt must not be empty").optional(),
  /** Text after the completion, with `prompt` (only endpoints that continue raw text honour it). */
  suffix: z.string().nullish(),
  stream: z.boolean().nullish(),
  max_tokens: positiveInt.nullish(),
  max_completion_tokens: positiveInt.nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  top_k: z.number().nullish(),
  min_p: z.number().nullish(),
  top_a: z.number().nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  repetition_penalty: z.number().nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  seed: z.number().int().nullish(),
  logit_bias: z.record(z.string(), z.number()).nullish(),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.number().int().min(0).max(20).nullish(),
  user: storableText().nullish(),
  session_id: storableText().max(256).nullish(),
  prompt_cache_key: storableText().max(256).nullish(),
  metadata: requestMetadata.nullish(),
  n: z.literal(1).nullish(),
  tools: z.array(tool).nullish(),
  tool_choice: z
    .union([z.enum(["none", "auto", "required"]), z.object({ type: z.literal("function"), function: z.object({ name: z.string() }) })])
    .nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  response_format: z
    .union([
      z.object({ type: z.literal("text") }),
      z.object({ type: z.literal("json_object") }),
      z.object({
        type: z.literal("json_schema"),
        json_schema: z.object({
          name: z.string(),
          description: z.string().optional(),
          schema: z.record(z.string(), z.unknown()).optional(),
          strict: z.boolean().nullish().transform((v) => v ?? undefined),
        }),
      }),
    ])
    .nullish(),
  reasoning: z
    .object({
      effort: effort.optional(),
      max_tokens: z.number().int().positive().optional(),
      exclude: z.boolean().optional(),
      enabled: z.boolean().optional(),
    })
    .nullish(),
  reasoning_effort: effort.nullish(),
  cache_control: cacheControl.nullish(),
  prediction: z.object({ type: z.literal("content"), content: textContent }).nullish(),
  service_tier: z.enum(["auto", "default", "flex", "priority", "fast", "scale"]).nullish(),
  modalities: z.array(z.enum(["text", "image", "audio"])).min(1).nullish(),
  verbosity: z.enum(["low", "medium", "high"]).nullish(),
  // validated by parseProviderPreferences (routing/preferences.ts), which names the field at fault
  provider: z
    .unknown()
    .optional()
    .describe("OpenRouter's provider preferences: order, allow_fallbacks, only, ignore, sort, quantizations, preferred_min_throughput, preferred_max_latency, max_price, require_parameters, data_collection"),
});

/** A validated chat completion request, ready for routing and the adapters. */
export interface ChatInput {
  stream: boolean;
  /** The normalized request with `model` empty: each attempt fills in its upstream id. */
  request: ChatRequest;
  routing: RoutingRequest;
}

const SAMPLING_PARAMETERS = [
  "temperature", "top_p", "top_k", "min_p", "top_a", "frequency_penalty", "presence_penalty", "repetition_penalty",
  "stop", "seed", "logit_bias", "logprobs", "top_logprobs", "tools", "tool_choice", "parallel_tool_calls", "response_format", "reasoning",
  "prediction", "service_tier", "modalities", "verbosity", "prompt_cache_key",
] as const;

/** What the request carries besides its body. */
export interface ChatInputContext {
  /** The `x-session-id` header (the body's `session_id` wins). */
  sessionIdHeader?: string;
}

/** Validates the JSON body; 400 with the offending field on any problem. */
export function parseChatInput(body: unknown, context: ChatInputContext = {}): ChatInput {
  const { prompt, suffix, messages: given, ...wire } = parseBody(chatRequestBody, body);
  const messages = conversationOf(given, prompt, suffix);
  // `reasoning_effort` is OpenAI's shorthand for `reasoning.effort`; the object wins where both are given.
  if (wire.reasoning_effort !== undefined && wire.reasoning_effort !== null) wire.reasoning = { effort: wire.reasoning_effort, ...wire.reasoning };
  // the conversation's key, hashed only if asked for; the breakpoint automatic caching adds below
  // does not change it (breakpoints are left out of the opening's hash)
  const sessionId = wire.session_id ?? context.sessionIdHeader ?? wire.prompt_cache_key;
  const conversation = sessionId ? () => `session:${sessionId}` : once(() => openingKey(messages));
  if (wire.cache_control) markLastCacheableBlock(messages, wire.cache_control);
  const maxTokens = wire.max_completion_tokens ?? wire.max_tokens ?? undefined;
  const request: ChatRequest = { model: "", messages };
  if (prompt !== undefined) request.rawPrompt = { text: prompt, ...(suffix ? { suffix } : {}) };
  if (maxTokens !== undefined) request.max_tokens = maxTokens;
  if (wire.stop !== undefined && wire.stop !== null) request.stop = typeof wire.stop === "string" ? [wire.stop] : wire.stop;
  const requestedParameters: string[] = [];
  for (const key of SAMPLING_PARAMETERS) {
    const value = wire[key];
    if (value === undefined || value === null) continue;
    requestedParameters.push(key === "response_format" && value && (value as { type: string }).type === "json_schema" ? "structured_outputs" : key);
    if (key !== "stop") (request as unknown as Record<string, unknown>)[key] = value;
  }
  if (wire.user) request.user = wire.user;
  if (maxTokens !== undefined) requestedParameters.push("max_tokens");
  const hasTools = (wire.tools?.length ?? 0) > 0;
  if (!hasTools) {
    delete request.tools;
    delete request.tool_choice;
  }
  const routing: RoutingRequest = {
    provider: parseProviderPreferences(wire.provider),
    promptTokensEstimate: estimatePromptTokens(messages, wire.tools ?? undefined),
    hasImages: hasImageParts(messages),
    hasFiles: hasPartOfType(messages, "file"),
    hasAudio: hasPartOfType(messages, "input_audio"),
    hasTools,
    wantsStructuredOutput: wire.response_format !== undefined && wire.response_format !== null && wire.response_format.type !== "text",
    requestedParameters,
  };
  if (wire.model !== undefined) routing.model = wire.model;
  if (wire.models !== undefined) routing.models = wire.models;
  if (maxTokens !== undefined) routing.maxTokens = maxTokens;
  routing.sessionKey = conversation;
  return { stream: wire.stream === true, request, routing };
}

/**
 * The conversation: the messages as given, or OpenRouter's `prompt` as one user turn (the
 * request then also carries it raw, for endpoints that continue raw text).
 */
function conversationOf(messages: ChatMessage[] | undefined, prompt: string | undefined, suffix: string | null | undefined): ChatMessage[] {
  if (messages !== undefined && prompt !== undefined) throw badRequest("Give either messages or prompt, not both.", { param: "prompt" });
  if (prompt !== undefined) return [{ role: "user", content: prompt }];
  if (suffix !== undefined && suffix !== null) throw badRequest("Invalid suffix: it follows a prompt; give prompt instead of messages.", { param: "suffix" });
  if (messages === undefined) throw badRequest("Invalid messages: Required (or give prompt instead)", { param: "messages" });
  return messages;
}

/**
 * Automatic caching (top-level `cache_control`): the breakpoint goes on the last block of the
 * last message with content, so the whole prompt up to it may be cached.
 */
function markLastCacheableBlock(messages: ChatMessage[], directive: CacheControl): void {
  for (let index = messages.length - 1; index >= 0; index--) {
    const message = messages[index]!;
    const content = message.content;
    if (typeof content === "string") {
      if (content === "") continue;
      (message as { content: ContentPart[] }).content = [{ type: "text", text: content, cache_control: directive }];
      return;
    }
    const last = content?.at(-1);
    if (!last) continue;
    last.cache_control ??= directive;
    return;
  }
}

/**
 * Which conversation a request belongs to, for keeping it on one endpoint while that endpoint's
 * prompt cache is warm: the client's session id, else a hash of the conversation's opening (its
 * system messages and first user message), which every later turn repeats.
 */
function openingKey(messages: readonly ChatMessage[]): string {
  const firstUser = messages.findIndex((message) => message.role === "user");
  const opening = messages.slice(0, firstUser === -1 ? 1 : firstUser + 1);
  const canonical = opening.map((message) => [message.role, withoutBreakpoints(message.content)]);
  return `opening:${createHash("sha256").update(JSON.stringify(canonical)).digest("base64url")}`;
}

/** Content as parts without cache breakpoints (clients move them from turn to turn). */
function withoutBreakpoints(content: ChatMessage["content"]): unknown[] {
  if (typeof content === "string") return [{ type: "text", text: content }];
  return (content ?? []).map((part) => {
    const { cache_control: _breakpoint, ...rest } = part as ContentPart;
    return rest;
  });
}
