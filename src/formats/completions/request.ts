/**
 * OpenAI's legacy Completions request (`POST /completions`, the `openai` package's
 * `CompletionCreateParams`) with OpenRouter's routing fields, and its translation into an
 * OpenRouter chat request: the text goes as OpenRouter's `prompt` (one user turn for chat
 * endpoints, the raw text for endpoints that continue raw text), `logprobs: n` becomes
 * `logprobs: true, top_logprobs: n`. `echo` is applied to the answer by this format, never sent.
 * The fields both formats share are validated by the chat use case, which names the same field.
 */
import { z } from "zod";
import { badRequest } from "../../domain/errors.js";
import { SAMPLING_FIELDS } from "../../domain/sampling-fields.js";

/** One text prompt: a string, or a list holding exactly one string. */
const prompt = z.union([z.string(), z.array(z.unknown())]).transform((value, context) => {
  if (typeof value === "string") return value;
  if (value.length === 1 && typeof value[0] === "string") return value[0];
  const texts = value.every((item) => typeof item === "string");
  context.addIssue({
    code: "custom",
    message:
      texts && value.length > 1
        ? "one prompt per request is supported; send each prompt in its own request"
        : "prompt must be text (a string, or a list with one string); token ids are not supported",
  });
  return z.NEVER;
});

/** The request's own fields; the others are checked where the chat request reads them. */
export const completionRequestSchema = z
  .object({
    model: z.string().optional(),
    models: z.array(z.string()).optional(),
    prompt,
    suffix: z.string().nullish(),
    echo: z.boolean().nullish(),
    logprobs: z.number().int().min(0).max(20).nullish(),
    n: z.literal(1, "only n: 1 is supported").nullish(),
    best_of: z.literal(1, "only best_of: 1 is supported").nullish(),
    stream: z.boolean().nullish(),
    stream_options: z.object({ include_usage: z.boolean().nullish() }).nullish(),
  })
  .passthrough();

/** A validated completions request. */
export type CompletionRequest = z.infer<typeof completionRequestSchema>;

/** Fields the chat request reads the same way (sampling, OpenRouter's routing and attribution). */
const SHARED_FIELDS = [
  "model",
  "models",
  "provider",
  "max_tokens",
  ...SAMPLING_FIELDS,
  "user",
  "session_id",
  "metadata",
  "reasoning",
] as const;

/** What the answer needs from the request. */
export interface CompletionOptions {
  /** Text to put before the answer (`echo: true`), else "". */
  echo: string;
}

/** Validates a completions body (400 naming the field) and translates it into an OpenRouter chat request. */
export function toChatRequest(body: unknown): { chat: Record<string, unknown>; options: CompletionOptions } {
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw badRequest("The request body must be a JSON object.");
  const parsed = completionRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = (issue?.path ?? []).join(".");
    throw badRequest(`Invalid ${path || "request"}: ${issue?.message ?? "invalid value"}`, { param: path });
  }
  const request = parsed.data;
  const chat: Record<string, unknown> = { prompt: request.prompt };
  for (const field of SHARED_FIELDS) if (request[field] !== undefined) chat[field] = request[field];
  if (request.suffix !== undefined && request.suffix !== null) chat.suffix = request.suffix;
  if (request.logprobs !== undefined && request.logprobs !== null) {
    chat.logprobs = true;
    chat.top_logprobs = request.logprobs;
  }
  if (request.stream === true) chat.stream = true;
  return { chat, options: { echo: request.echo === true ? request.prompt : "" } };
}
