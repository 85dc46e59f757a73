/**
 * Anthropic's Messages request (https://docs.anthropic.com/en/api/messages, and OpenRouter's
 * `MessagesRequest`), as far as farebox can carry it to any model: system blocks, text, images,
 * PDFs and text documents, tools and tool results, extended thinking with signatures,
 * `cache_control`, `stop_sequences`, `metadata.user_id`, structured outputs
 * (`output_config.format`), plus OpenRouter's routing fields
 * (`models`, `provider`, `session_id`). Unknown top-level fields are ignored; a block or tool farebox
 * cannot translate (server tools and their results, citations sources, container uploads) is
 * refused with a 400 naming it rather than dropped.
 */
import { z } from "zod";
import { storableText } from "../../domain/storable-text.js";

export const cacheControlSchema = z.object({ type: z.literal("ephemeral"), ttl: z.enum(["5m", "1h"]).optional() });
const cache = { cache_control: cacheControlSchema.nullish() };

const SERVER_TOOLS = " (server tools and their results are not supported)";
const unsupported = (where: string, why = "") => (issue: { code: string; input?: unknown }) =>
  issue.code === "invalid_union"
    ? `${where} of type ${JSON.stringify((issue.input as { type?: unknown } | undefined)?.type)} cannot be translated by this gateway${why}`
    : undefined;

export const textBlockSchema = z.object({ type: z.literal("text"), text: z.string(), citations: z.unknown().optional(), ...cache });

const imageBlock = z.object({
  type: z.literal("image"),
  source: z.discriminatedUnion(
    "type",
    [
      z.object({ type: z.literal("base64"), media_type: z.string().min(1), data: z.string().min(1) }),
      z.object({ type: z.literal("url"), url: z.string().min(1) }),
    ],
    { error: unsupported("an image source") },
  ),
  ...cache,
});

const documentBlock = z.object({
  type: z.literal("document"),
  source: z.discriminatedUnion(
    "type",
    [
      z.object({ type: z.literal("base64"), media_type: z.string().min(1), data: z.string().min(1) }),
      z.object({ type: z.literal("text"), media_type: z.string().optional(), data: z.string() }),
      z.object({ type: z.literal("url"), url: z.string().min(1) }),
      z.object({ type: z.literal("file"), file_id: z.string().min(1) }),
    ],
    { error: unsupported("a document source") },
  ),
  title: z.string().nullish(),
  context: z.string().nullish(),
  citations: z.unknown().optional(),
  ...cache,
});

const toolResultBlock = z.object({
  type: z.literal("tool_result"),
  tool_use_id: z.string().min(1),
  content: z.union([z.string(), z.array(z.discriminatedUnion("type", [textBlockSchema, imageBlock, documentBlock], { error: unsupported("a tool_result content block", SERVER_TOOLS) }))]).optional(),
  is_error: z.boolean().optional(),
  ...cache,
});

const toolUseBlock = z.object({ type: z.literal("tool_use"), id: z.string().min(1), name: z.string().min(1), input: z.record(z.string(), z.unknown()), ...cache });
const thinkingBlock = z.object({ type: z.literal("thinking"), thinking: z.string(), signature: z.string().optional() });
const redactedThinkingBlock = z.object({ type: z.literal("redacted_thinking"), data: z.string() });

export const contentBlockSchema = z.discriminatedUnion(
  "type",
  [textBlockSchema, imageBlock, documentBlock, toolResultBlock, toolUseBlock, thinkingBlock, redactedThinkingBlock],
  { error: unsupported("a content block", SERVER_TOOLS) },
);

const messageSchema = z.object({
  role: z.enum(["user", "assistant"]),
  content: z.union([z.string(), z.array(contentBlockSchema)]),
});

const toolSchema = z
  .object({
    type: z.string().optional(),
    name: z.string().min(1),
    description: z.string().optional(),
    input_schema: z.record(z.string(), z.unknown()).optional(),
    ...cache,
  })
  .passthrough()
  .refine((tool) => tool.type === undefined || tool.type === "custom", {
    message: "server tools (a tool with a versioned type such as web_search_20250305) cannot be translated by this gateway; give custom tools with an input_schema",
  })
  .refine((tool) => tool.input_schema !== undefined, { message: "a custom tool needs an input_schema" });

const toolChoiceSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("auto"), disable_parallel_tool_use: z.boolean().optional() }),
  z.object({ type: z.literal("any"), disable_parallel_tool_use: z.boolean().optional() }),
  z.object({ type: z.literal("none") }),
  z.object({ type: z.literal("tool"), name: z.string().min(1), disable_parallel_tool_use: z.boolean().optional() }),
]);

const thinkingSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("enabled"), budget_tokens: z.number().int().positive() }).passthrough(),
  z.object({ type: z.literal("adaptive") }).passthrough(),
  z.object({ type: z.literal("disabled") }),
]);

/** Structured outputs (https://docs.anthropic.com/en/docs/build-with-claude/structured-outputs); other settings pass unread. */
const outputConfigSchema = z
  .object({ format: z.object({ type: z.literal("json_schema"), schema: z.record(z.string(), z.unknown()) }).nullish() })
  .passthrough();

/** The body of `POST /messages` and `POST /messages/count_tokens`. */
export const messagesRequestSchema = z.object({
  model: storableText().optional(),
  models: z.array(storableText()).optional(),
  max_tokens: z.number().int().positive().optional(),
  messages: z.array(messageSchema).min(1, "messages must not be empty"),
  system: z.union([z.string(), z.array(textBlockSchema)]).optional(),
  stop_sequences: z.array(z.string()).optional(),
  stream: z.boolean().optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().nonnegative().optional(),
  metadata: z.object({ user_id: storableText().nullish() }).passthrough().optional(),
  tools: z.array(toolSchema).optional(),
  tool_choice: toolChoiceSchema.optional(),
  thinking: thinkingSchema.optional(),
  cache_control: cacheControlSchema.optional(),
  service_tier: z.enum(["auto", "standard_only"]).optional(),
  output_config: outputConfigSchema.optional(),
  provider: z.unknown().optional(),
  session_id: storableText().max(256).optional(),
});

export type MessagesRequest = z.output<typeof messagesRequestSchema>;
export type ContentBlock = z.output<typeof contentBlockSchema>;
