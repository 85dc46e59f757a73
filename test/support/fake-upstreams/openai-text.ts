/**
 * The fake OpenAI upstream's legacy Completions (`POST …/completions`), shapes as recorded from
 * api.openai.com with gpt-3.5-turbo-instruct: `cmpl-` ids, `text_completion` objects whose
 * choices carry `text`, legacy log probabilities (`tokens`, `token_logprobs`, `top_logprobs`
 * maps, `text_offset`) when `logprobs: n` was asked, stream chunks of the same object, a finish
 * chunk with empty text, a usage chunk with `choices: []` (stream_options.include_usage) and
 * `data: [DONE]`. The prompt it was sent is echoed when `echo` is set.
 */
import { randomBytes } from "node:crypto";
import { DEFAULT_USAGE, finishOf, pieces, textOf, type FakeBehaviour, type RecordedRequest } from "./behaviour.js";
import type { Rendered } from "./server.js";

/** Whether a request went to the legacy endpoint. */
export function isTextCompletionRequest(request: RecordedRequest): boolean {
  const path = request.url.split("?")[0] ?? "";
  return path.endsWith("/completions") && !path.endsWith("/chat/completions");
}

function legacyLogprobs(request: RecordedRequest, tokens: string[], offset: number): Record<string, unknown> | null {
  const asked = (request.body as { logprobs?: unknown } | undefined)?.logprobs;
  if (typeof asked !== "number") return null;
  const offsets: number[] = [];
  let at = offset;
  for (const token of tokens) {
    offsets.push(at);
    at += token.length;
  }
  return {
    tokens,
    token_logprobs: tokens.map((_, index) => -0.01 * (index + 1)),
    top_logprobs: tokens.map((token, index) =>
      Object.fromEntries(Array.from({ length: asked }, (_, rank) => [rank === 0 ? token : `${token}~${rank}`, -0.01 * (index + 1) - rank])),
    ),
    text_offset: offsets,
  };
}

/** Renders one legacy Completions answer. */
export function renderTextCompletion(behaviour: FakeBehaviour, request: RecordedRequest, stream: boolean): Rendered {
  const body = (request.body ?? {}) as { model?: unknown; prompt?: unknown; echo?: unknown };
  const model = behaviour.model ?? (typeof body.model === "string" ? body.model : "gpt-3.5-turbo-instruct");
  const completionId = `cmpl-${randomBytes(12).toString("base64url")}`;
  const created = Math.floor(Date.now() / 1000);
  const echo = body.echo === true && typeof body.prompt === "string" ? body.prompt : "";
  const text = textOf(behaviour);
  const finish = finishOf(behaviour);
  const usage = behaviour.usage ?? DEFAULT_USAGE;
  const wireUsage = behaviour.rawUsage ?? { prompt_tokens: usage.prompt, completion_tokens: usage.completion, total_tokens: usage.prompt + usage.completion };
  if (!stream) {
    return {
      kind: "json",
      status: 200,
      body: JSON.stringify({
        id: completionId,
        object: "text_completion",
        created,
        model,
        choices: [{ text: echo + text, index: 0, logprobs: legacyLogprobs(request, pieces(text), echo.length), finish_reason: finish }],
        ...(behaviour.omitUsage ? {} : { usage: wireUsage }),
      }),
    };
  }
  const chunk = (choices: unknown[], withUsage?: unknown): string =>
    `data: ${JSON.stringify({ id: completionId, object: "text_completion", created, choices, model, ...(withUsage === undefined ? {} : { usage: withUsage }) })}\n\n`;
  const frames: string[] = [];
  let offset = 0;
  for (const piece of [...(echo ? [echo] : []), ...pieces(text)]) {
    frames.push(chunk([{ text: piece, index: 0, logprobs: legacyLogprobs(request, [piece], offset), finish_reason: null }]));
    offset += piece.length;
  }
  frames.push(chunk([{ text: "", index: 0, logprobs: null, finish_reason: finish }]));
  if (!behaviour.omitUsage) frames.push(chunk([], wireUsage));
  frames.push("data: [DONE]\n\n");
  return { kind: "sse", frames };
}
