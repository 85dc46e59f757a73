/**
 * The inbound OpenAI Responses request (`POST /api/v1/responses`), as OpenRouter documents it
 * (shared/reference/openrouter-openapi.yaml, `ResponsesRequest`), restricted to what a stateless
 * gateway can serve: the input as a string or items (messages, function calls and their outputs,
 * reasoning items passed back), function tools, and the sampling, reasoning and text settings.
 * Unknown fields are ignored, as OpenRouter ignores what it does not apply. Text that is stored
 * (model, user, session) is checked here so a 400 names this format's field; what passes to chat
 * under its own name (temperature, metadata, provider, ...) is checked by the chat use case.
 */
import { z } from "zod";
import { storableText } from "../../domain/storable-text.js";

const nullishString = z.string().nullish();

const inputText = z.object({ type: z.literal("input_text"), text: z.string() });
const inputImage = z.object({
  type: z.literal("input_image"),
  image_url: nullishString,
  file_id: nullishString,
  detail: z.enum(["auto", "low", "high", "original"]).nullish(),
});
const inputFile = z.object({
  type: z.literal("input_file"),
  file_data: nullishString,
  file_id: nullishString,
  file_url: nullishString,
  filename: nullishString,
});
const inputAudio = z.object({ type: z.literal("input_audio"), input_audio: z.object({ data: z.string().min(1), format: z.string().min(1) }) });
/** An earlier answer's text, passed back in an assistant message. */
const outputText = z.object({ type: z.literal("output_text"), text: z.string() });
const refusal = z.object({ type: z.literal("refusal"), refusal: z.string() });

/** A part of a message's content. Which parts a role may carry is checked in translation. */
export const contentPartSchema = z.discriminatedUnion("type", [inputText, inputImage, inputFile, inputAudio, outputText, refusal]);

const messageItem = z.object({
  type: z.literal("message"),
  role: z.enum(["user", "system", "developer", "assistant"]),
  content: z.union([z.string(), z.array(contentPartSchema)]),
  id: nullishString,
  status: nullishString,
});

const functionCallItem = z.object({
  type: z.literal("function_call"),
  call_id: z.string().min(1),
  name: z.string().min(1),
  arguments: z.string(),
  id: nullishString,
  status: nullishString,
});

const functionCallOutputItem = z.object({
  type: z.literal("function_call_output"),
  call_id: z.string().min(1),
  output: z.union([z.string(), z.array(z.discriminatedUnion("type", [inputText, inputImage, inputFile]))]),
  id: nullishString,
  status: nullishString,
});

const reasoningItem = z.object({
  type: z.literal("reasoning"),
  id: nullishString,
  summary: z.array(z.object({ type: z.literal("summary_text"), text: z.string() })).nullish(),
  content: z.array(z.object({ type: z.literal("reasoning_text"), text: z.string() })).nullish(),
  encrypted_content: nullishString,
  /** OpenRouter's extensions: the provider's signature over the reasoning text and the details' format. */
  signature: nullishString,
  format: nullishString,
  status: nullishString,
});

/** One input item; a message may leave out `type` (OpenAI's "easy" input message). */
export const inputItemSchema = z.preprocess(
  (item) => (typeof item === "object" && item !== null && !("type" in item) && "role" in item ? { ...item, type: "message" } : item),
  z.discriminatedUnion("type", [messageItem, functionCallItem, functionCallOutputItem, reasoningItem], {
    error: "an input item is a message, function_call, function_call_output or reasoning item (stored items cannot be referenced)",
  }),
);

const functionTool = z.object({
  type: z.literal("function", { error: "only function tools are supported" }),
  name: z.string().min(1),
  description: nullishString,
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
});

const textFormat = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text") }),
  z.object({ type: z.literal("json_object") }),
  z.object({
    type: z.literal("json_schema"),
    name: z.string().min(1),
    schema: z.record(z.string(), z.unknown()),
    description: nullishString,
    strict: z.boolean().nullish(),
  }),
]);

const effort = z.enum(["max", "xhigh", "high", "medium", "low", "minimal", "none"]);

/** The request body. */
export const responsesRequestSchema = z.object({
  model: storableText().optional(),
  models: z.array(storableText()).optional(),
  input: z.union([z.string().min(1, "input must not be empty"), z.array(inputItemSchema).min(1, "input must not be empty")]),
  instructions: nullishString,
  stream: z.boolean().nullish(),
  store: z.boolean().nullish(),
  background: z.boolean().nullish(),
  previous_response_id: z.unknown().optional(),
  conversation: z.unknown().optional(),
  include: z.array(z.string()).nullish(),
  max_output_tokens: z.number().int().positive().nullish(),
  temperature: z.number().nullish(),
  top_p: z.number().nullish(),
  top_k: z.number().nullish(),
  top_logprobs: z.number().int().min(0).max(20).nullish(),
  frequency_penalty: z.number().nullish(),
  presence_penalty: z.number().nullish(),
  tools: z.array(functionTool).nullish(),
  tool_choice: z
    .union([z.enum(["none", "auto", "required"]), z.object({ type: z.literal("function"), name: z.string().min(1) })], {
      error: 'tool_choice is "none", "auto", "required" or {"type":"function","name":...}',
    })
    .nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  text: z.object({ format: textFormat.nullish(), verbosity: z.enum(["low", "medium", "high"]).nullish() }).nullish(),
  reasoning: z
    .object({
      effort: effort.nullish(),
      summary: z.enum(["auto", "concise", "detailed"]).nullish(),
      max_tokens: z.number().int().positive().nullish(),
      enabled: z.boolean().nullish(),
      exclude: z.boolean().nullish(),
    })
    .nullish(),
  metadata: z.unknown().optional(),
  user: storableText().nullish(),
  safety_identifier: storableText().max(256).nullish(),
  session_id: storableText().max(256).nullish(),
  prompt_cache_key: storableText().max(256).nullish(),
  service_tier: z.string().nullish(),
  truncation: z.enum(["auto", "disabled"]).nullish(),
  provider: z.unknown().optional(),
  cache_control: z.unknown().optional(),
  modalities: z.unknown().optional(),
});

/** A validated Responses request. */
export type ResponsesRequest = z.infer<typeof responsesRequestSchema>;
/** One validated input item. */
export type InputItem = z.infer<typeof inputItemSchema>;
/** One validated content part. */
export type ContentPart = z.infer<typeof contentPartSchema>;
/** One validated function tool. */
export type FunctionTool = NonNullable<ResponsesRequest["tools"]>[number];
