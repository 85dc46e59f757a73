/**
 * The Messages answer farebox sends (Anthropic's `Message` as OpenRouter's `MessagesResult`
 * writes it: every field present, null where unknown, plus the serving provider and the cost),
 * the `count_tokens` answer, and the error envelope; kept as zod schemas so the route's OpenAPI
 * document and the tests read one definition.
 */
import { z } from "zod";
import { ANTHROPIC_STOP_REASONS } from "../../domain/anthropic-messages.js";

export const responseBlockSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text"), text: z.string(), citations: z.array(z.unknown()).nullable() }),
  z.object({ type: z.literal("thinking"), thinking: z.string(), signature: z.string() }),
  z.object({ type: z.literal("redacted_thinking"), data: z.string() }),
  z.object({ type: z.literal("tool_use"), id: z.string(), caller: z.object({ type: z.literal("direct") }), name: z.string(), input: z.record(z.string(), z.unknown()) }),
]);

const count = z.number().int().nonnegative();

export const messagesUsageSchema = z.object({
  input_tokens: count,
  output_tokens: count,
  cache_creation_input_tokens: count,
  cache_read_input_tokens: count,
  cache_creation: z.null(),
  inference_geo: z.null(),
  output_tokens_details: z.object({ thinking_tokens: count }).nullable(),
  server_tool_use: z.null(),
  service_tier: z.string().nullable(),
  /** OpenRouter's additions: the charge in USD, whether the account's own key served it, the upstream's share. */
  cost: z.number().optional(),
  is_byok: z.boolean().optional(),
  cost_details: z.record(z.string(), z.unknown()).optional(),
});

export const messagesResponseSchema = z.object({
  id: z.string(),
  type: z.literal("message"),
  role: z.literal("assistant"),
  model: z.string(),
  provider: z.string().optional(),
  container: z.null(),
  content: z.array(responseBlockSchema),
  stop_reason: z.enum(ANTHROPIC_STOP_REASONS).nullable(),
  stop_details: z.null(),
  stop_sequence: z.string().nullable(),
  usage: messagesUsageSchema,
});

export const countTokensResponseSchema = z.object({ input_tokens: count });

export const messagesErrorSchema = z.object({
  type: z.literal("error"),
  error: z.object({ type: z.string(), message: z.string(), error_type: z.string().optional() }),
  metadata: z.record(z.string(), z.unknown()).optional(),
  request_id: z.string().nullable(),
});

export type MessagesResponse = z.output<typeof messagesResponseSchema>;
export type ResponseBlock = z.output<typeof responseBlockSchema>;
export type MessagesUsage = z.output<typeof messagesUsageSchema>;
export type MessagesError = z.output<typeof messagesErrorSchema>;
