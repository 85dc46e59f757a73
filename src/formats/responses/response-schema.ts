/**
 * The shapes farebox answers on the Responses route (OpenRouter's `OpenResponsesResult` and the
 * stream's events, as far as farebox produces them): the response object, its output items and
 * usage, and the envelope every stream event shares. For the OpenAPI document and for tests
 * that check what the translators write.
 */
import { z } from "zod";

const status = z.enum(["in_progress", "completed", "incomplete"]);

/** An `output_text` content part. */
export const outputTextSchema = z.object({
  type: z.literal("output_text"),
  text: z.string(),
  annotations: z.array(z.unknown()),
  logprobs: z.array(z.unknown()).optional(),
});

/** The assistant's message. */
export const outputMessageSchema = z.object({
  type: z.literal("message"),
  id: z.string(),
  role: z.literal("assistant"),
  status,
  content: z.array(z.discriminatedUnion("type", [outputTextSchema, z.object({ type: z.literal("refusal"), refusal: z.string() })])),
});

/** A block of reasoning, with OpenRouter's `signature` and `format`. */
export const outputReasoningSchema = z.object({
  type: z.literal("reasoning"),
  id: z.string(),
  summary: z.array(z.object({ type: z.literal("summary_text"), text: z.string() })),
  content: z.array(z.object({ type: z.literal("reasoning_text"), text: z.string() })).optional(),
  encrypted_content: z.string().optional(),
  signature: z.string().optional(),
  format: z.string().optional(),
  status,
});

/** A call of a function tool. */
export const outputFunctionCallSchema = z.object({
  type: z.literal("function_call"),
  id: z.string(),
  call_id: z.string(),
  name: z.string(),
  arguments: z.string(),
  status,
});

/** One output item. */
export const outputItemSchema = z.discriminatedUnion("type", [outputMessageSchema, outputReasoningSchema, outputFunctionCallSchema]);

/** Token counts and OpenRouter's cost (USD). */
export const responseUsageSchema = z.object({
  input_tokens: z.number().int().nonnegative(),
  input_tokens_details: z.object({ cached_tokens: z.number().int().nonnegative(), cache_write_tokens: z.number().int().nonnegative().optional() }),
  output_tokens: z.number().int().nonnegative(),
  output_tokens_details: z.object({ reasoning_tokens: z.number().int().nonnegative() }),
  total_tokens: z.number().int().nonnegative(),
  cost: z.number().nonnegative().optional(),
  is_byok: z.boolean().optional(),
  cost_details: z
    .object({ upstream_inference_cost: z.number().nullable(), upstream_inference_input_cost: z.number(), upstream_inference_output_cost: z.number() })
    .optional(),
});

/** The response object, whole or as a stream's lifecycle event carries it. */
export const responseObjectSchema = z.looseObject({
  // …plus the request's settings, echoed as OpenAI's response object does (instructions, tools, temperature, …)
  id: z.string(),
  object: z.literal("response"),
  created_at: z.number().int(),
  completed_at: z.number().int().nullable(),
  status: z.enum(["in_progress", "completed", "incomplete", "failed"]),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  incomplete_details: z.object({ reason: z.enum(["max_output_tokens", "content_filter"]) }).nullable(),
  model: z.string(),
  output: z.array(outputItemSchema),
  output_text: z.string(),
  usage: responseUsageSchema.optional(),
});

/** What every stream event has. */
export const streamEventSchema = z.looseObject({ type: z.string().startsWith("response."), sequence_number: z.number().int().nonnegative() });
