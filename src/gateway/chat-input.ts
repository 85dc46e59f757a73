/**
 * The inbound chat completion body (OpenAI Chat Completions plus OpenRouter's extensions),
 * validated with zod into the normalized provider request and the router's view of it.
 * Unknown fields are ignored, as OpenRouter ignores what it does not apply; malformed known
 * fields answer 400 naming the field.
 */
import { z } from "zod";
import { badRequest } from "../domain/errors.js";
import { storableText } from "../domain/storable-text.js";
import { estimatePromptTokens, hasImageParts } from "../routing/estimate-tokens.js";
import { parseProviderPreferences } from "../routing/preferences.js";
import type { RoutingRequest } from "../routing/types.js";
import type { ChatMessage, ChatRequest } from "../providers/spec.js";

const text = z.object({ type: z.literal("text"), text: z.string() });
const image = z.object({
  type: z.literal("image_url"),
  image_url: z.object({ url: z.string().min(1), detail: z.enum(["auto", "low", "high"]).optional() }),
});
const toolCall = z.object({
  id: z.string(),
  type: z.literal("function"),
  function: z.object({ name: z.string(), arguments: z.string() }),
});
const textContent = z.union([z.string(), z.array(text)]);
const message = z.discriminatedUnion("role", [
  z.object({ role: z.enum(["system", "developer"]), content: textContent, name: z.string().optional() }),
  z.object({ role: z.literal("user"), content: z.union([z.string(), z.array(z.union([text, image]))]), name: z.string().optional() }),
  z.object({
    role: z.literal("assistant"),
    content: textContent.nullish(),
    name: z.string().optional(),
    tool_calls: z.array(toolCall).optional(),
    reasoning: z.string().nullish(),
    refusal: z.string().nullish(),
  }),
  z.object({ role: z.literal("tool"), content: textContent, tool_call_id: z.string(), name: z.string().optional() }),
]);
const tool = z.object({
  type: z.literal("function"),
  function: z.object({
    name: z.string().min(1),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullish().transform((v) => v ?? undefined),
  }),
});
const positiveInt = z.number().int().positive();
/** OpenRouter's request metadata: at most 16 pairs, keys ≤ 64 characters, values ≤ 512. */
const requestMetadata = z
  .record(storableText().max(64), storableText().max(512))
  .refine((pairs) => Object.keys(pairs).length <= 16, "at most 16 metadata pairs");

const bodySchema = z.object({
  model: storableText().optional(),
  models: z.array(storableText()).optional(),
  messages: z.array(message).min(1, "messages must not be empty"),
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
      effort: z.enum(["max", "xhigh", "high", "medium", "low", "minimal", "none"]).optional(),
      max_tokens: z.number().int().optional(),
      exclude: z.boolean().optional(),
      enabled: z.boolean().optional(),
    })
    .nullish(),
  provider: z.unknown().optional(),
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
] as const;

/** Validates the JSON body; 400 with the offending field on any problem. */
export function parseChatInput(body: unknown): ChatInput {
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw badRequest("The request body must be a JSON object.");
  const parsed = bodySchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = (issue?.path ?? []).join(".");
    throw badRequest(`Invalid ${path || "request"}: ${issue?.message ?? "invalid value"}`, { param: path });
  }
  const wire = parsed.data;
  const maxTokens = wire.max_completion_tokens ?? wire.max_tokens ?? undefined;
  const request: ChatRequest = { model: "", messages: wire.messages as ChatMessage[] };
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
    promptTokensEstimate: estimatePromptTokens(wire.messages, wire.tools ?? undefined),
    hasImages: hasImageParts(wire.messages),
    hasTools,
    wantsStructuredOutput: wire.response_format !== undefined && wire.response_format !== null && wire.response_format.type !== "text",
    requestedParameters,
  };
  if (wire.model !== undefined) routing.model = wire.model;
  if (wire.models !== undefined) routing.models = wire.models;
  if (maxTokens !== undefined) routing.maxTokens = maxTokens;
  return { stream: wire.stream === true, request, routing };
}
