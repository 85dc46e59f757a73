/**
 * The chat completion body (what the chat use case answers) as OpenAI's legacy `text_completion`
 * (the `openai` package's `Completion`): the message content becomes `choices[].text` (after the
 * prompt when `echo` asked for it), log probabilities take the legacy shape, and OpenRouter's
 * extras (`provider`, `native_finish_reason`, usage with its cost fields) stay as chat has them.
 */
import { z } from "zod";
import type { CompletionOptions } from "./request.js";
import { textLogprobs } from "./logprobs.js";

/** One choice of a `text_completion`. */
export const textCompletionChoiceSchema = z.object({
  index: z.number().int(),
  text: z.string(),
  finish_reason: z.string().nullable(),
  native_finish_reason: z.string().nullable().optional(),
  logprobs: z
    .object({
      tokens: z.array(z.string()),
      token_logprobs: z.array(z.number().nullable()),
      top_logprobs: z.array(z.record(z.string(), z.number())),
      text_offset: z.array(z.number().int()),
    })
    .nullable(),
});

/** A `text_completion` answer (and, with `choices` possibly empty, one stream chunk). */
export const textCompletionSchema = z.object({
  id: z.string(),
  object: z.literal("text_completion"),
  created: z.number().int(),
  model: z.string(),
  provider: z.string().optional(),
  system_fingerprint: z.string().nullable().optional(),
  choices: z.array(textCompletionChoiceSchema),
  usage: z.record(z.string(), z.unknown()).optional(),
});

export type TextCompletion = z.infer<typeof textCompletionSchema>;

interface ChatChoice {
  finish_reason?: string | null;
  native_finish_reason?: string | null;
  logprobs?: unknown;
  message?: { content?: string | null };
}

/** Translates a chat completion body. */
export function toTextCompletion(chat: Record<string, unknown>, options: CompletionOptions): TextCompletion {
  const choice = ((chat.choices as ChatChoice[] | undefined) ?? [])[0] ?? {};
  return {
    id: String(chat.id),
    object: "text_completion",
    created: Number(chat.created),
    model: String(chat.model),
    ...(typeof chat.provider === "string" ? { provider: chat.provider } : {}),
    system_fingerprint: typeof chat.system_fingerprint === "string" ? chat.system_fingerprint : null,
    choices: [
      {
        index: 0,
        text: options.echo + (choice.message?.content ?? ""),
        finish_reason: choice.finish_reason ?? null,
        native_finish_reason: choice.native_finish_reason ?? null,
        logprobs: textLogprobs(choice.logprobs, options.echo.length),
      },
    ],
    ...(chat.usage !== undefined ? { usage: chat.usage as Record<string, unknown> } : {}),
  };
}
