/**
 * The chat stream (what the chat use case hands out) as OpenAI's legacy Completions stream:
 * each `chat.completion.chunk` with text becomes a `text_completion` chunk whose choice has
 * `text`; the usage chunk (`choices: []`, cost included) and a mid-stream `error` keep their
 * place; `data: [DONE]` ends it. With `echo`, the prompt is the first text sent.
 */
import { readChatFrame, type ChatStreamChunk } from "../chat-frames.js";
import { textLogprobs } from "./logprobs.js";
import type { CompletionOptions } from "./request.js";
import type { TextCompletion } from "./response.js";

type Choice = TextCompletion["choices"][number];

/** Re-frames one chat stream; keeps the offset of the text sent so far (for `text_offset`). */
export class TextCompletionFraming {
  private sent = 0;
  private echoPending: string;

  constructor(options: CompletionOptions) {
    this.echoPending = options.echo;
  }

  /** The frames (possibly none) one chat frame becomes. */
  translate(frame: string): string[] {
    const read = readChatFrame(frame);
    if (read.kind !== "chunk") return [frame];
    const chunk = read.chunk;
    const out: string[] = [];
    if (this.echoPending !== "" && chunk.error === undefined) {
      out.push(this.frame(chunk, [this.choice(this.echoPending, null, null, undefined)]));
      this.echoPending = "";
    }
    if (chunk.error !== undefined) {
      out.push(this.frame(chunk, [{ index: 0, text: "", finish_reason: "error", native_finish_reason: null, logprobs: null }], { error: chunk.error }));
      return out;
    }
    const source = chunk.choices[0];
    if (!source) {
      out.push(this.frame(chunk, [], chunk.usage !== undefined ? { usage: chunk.usage } : {}));
      return out;
    }
    const text = typeof source.delta.content === "string" ? source.delta.content : "";
    const hasLogprobs = source.logprobs !== undefined && source.logprobs !== null;
    // role-only and reasoning-only chunks carry no text for this format
    if (text === "" && source.finish_reason === null && !hasLogprobs) return out;
    out.push(this.frame(chunk, [this.choice(text, source.finish_reason, source.native_finish_reason ?? null, source.logprobs)]));
    return out;
  }

  private choice(text: string, finish: string | null, nativeFinish: string | null, logprobs: unknown): Choice {
    const choice: Choice = { index: 0, text, finish_reason: finish, native_finish_reason: nativeFinish, logprobs: textLogprobs(logprobs, this.sent) };
    this.sent += text.length;
    return choice;
  }

  private frame(chunk: ChatStreamChunk, choices: Choice[], extra: Record<string, unknown> = {}): string {
    const body = {
      id: chunk.id,
      object: "text_completion",
      created: chunk.created,
      model: chunk.model,
      ...(chunk.provider !== undefined ? { provider: chunk.provider } : {}),
      choices,
      ...extra,
    };
    return `data: ${JSON.stringify(body)}\n\n`;
  }
}

/** Re-frames a whole chat stream. */
export async function* textCompletionFrames(frames: AsyncIterable<string>, options: CompletionOptions): AsyncGenerator<string, void, undefined> {
  const framing = new TextCompletionFraming(options);
  for await (const frame of frames) yield* framing.translate(frame);
}
