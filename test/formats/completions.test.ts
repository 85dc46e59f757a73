/**
 * The legacy completions translator, pure: request → OpenRouter chat request (and the chat use
 * case's validation of it), chat answer → `text_completion`, chat stream → `text_completion`
 * chunks (echo first, running text offsets, usage and error chunks kept, [DONE] last).
 */
import { describe, expect, it } from "vitest";
import { textCompletionFrames, textCompletionSchema, toChatRequest, toTextCompletion } from "../../src/formats/completions/index.js";
import { parseChatInput } from "../../src/gateway/chat-input.js";
import { AppError } from "../../src/domain/errors.js";
import { DONE_FRAME, errorFrame, KEEP_ALIVE_FRAME } from "../../src/gateway/wire-response.js";
import { chunkFrameWriter } from "../../src/gateway/stream-chunk-frame.js";

const header = { id: "gen-1", model: "test/m", provider: "Alpha", created: 7 };
const logprobsOf = (tokens: string[]) => ({
  content: tokens.map((token, index) => ({ token, logprob: -index, bytes: [], top_logprobs: [{ token, logprob: -index }, { token: `${token}?`, logprob: -9 }] })),
  refusal: null,
});

describe("request", () => {
  it("carries the prompt as OpenRouter's chat `prompt`, logprobs as top_logprobs, and keeps echo to itself", () => {
    const { chat, options } = toChatRequest({
      model: "test/m",
      prompt: ["Once upon"],
      suffix: " the end",
      echo: true,
      logprobs: 3,
      max_tokens: 9,
      temperature: 0.2,
      stop: ["\n"],
      n: 1,
      user: "u1",
      provider: { order: ["alpha"] },
      stream: true,
    });
    expect(chat).toEqual({
      prompt: "Once upon",
      suffix: " the end",
      model: "test/m",
      provider: { order: ["alpha"] },
      max_tokens: 9,
      temperature: 0.2,
      stop: ["\n"],
      user: "u1",
      logprobs: true,
      top_logprobs: 3,
      stream: true,
    });
    expect(options).toEqual({ echo: "Once upon" });
    const input = parseChatInput(chat);
    expect(input.request.messages).toEqual([{ role: "user", content: "Once upon" }]);
    expect(input.request.rawPrompt).toEqual({ text: "Once upon", suffix: " the end" });
    expect(input.request).toMatchObject({ logprobs: true, top_logprobs: 3, max_tokens: 9, stop: ["\n"] });
    expect(input.stream).toBe(true);
  });

  it("refuses what it cannot honour with a 400 naming the field", () => {
    const refusal = (body: unknown) => {
      try {
        toChatRequest(body);
      } catch (error) {
        return error as AppError;
      }
      throw new Error("accepted");
    };
    expect(refusal({ prompt: [[1, 2]] }).metadata).toMatchObject({ param: "prompt" });
    expect(refusal({ prompt: "x", n: 3 }).message).toBe("Invalid n: only n: 1 is supported");
    expect(refusal({ prompt: "x", best_of: 2 }).httpStatus).toBe(400);
    expect(refusal({ prompt: "x", echo: "yes" }).metadata).toMatchObject({ param: "echo" });
    expect(refusal(null).httpStatus).toBe(400);
  });

  it("chat takes either messages or prompt, never both, and suffix only with prompt", () => {
    expect(() => parseChatInput({ prompt: "a", messages: [{ role: "user", content: "b" }] })).toThrow(/either messages or prompt/);
    expect(() => parseChatInput({ messages: [{ role: "user", content: "b" }], suffix: "z" })).toThrow(/suffix/);
    expect(() => parseChatInput({ model: "m" })).toThrow(/messages/);
    expect(parseChatInput({ messages: [{ role: "user", content: "b" }] }).request.rawPrompt).toBeUndefined();
  });
});

describe("answer", () => {
  const chatBody = {
    id: "gen-1",
    provider: "Alpha",
    model: "test/m",
    object: "chat.completion",
    created: 7,
    system_fingerprint: "fp",
    choices: [{ index: 0, logprobs: logprobsOf(["Hi", " there"]), finish_reason: "length", native_finish_reason: "length", message: { role: "assistant", content: "Hi there" } }],
    usage: { prompt_tokens: 2, completion_tokens: 2, total_tokens: 4, cost: 0.000001 },
  };

  it("becomes a text_completion with legacy log probabilities, offset past the echoed prompt", () => {
    const answer = toTextCompletion(chatBody, { echo: "Say: " });
    expect(textCompletionSchema.parse(answer)).toEqual(answer);
    expect(answer).toEqual({
      id: "gen-1",
      object: "text_completion",
      created: 7,
      model: "test/m",
      provider: "Alpha",
      system_fingerprint: "fp",
      choices: [
        {
          index: 0,
          text: "Say: Hi there",
          finish_reason: "length",
          native_finish_reason: "length",
          logprobs: { tokens: ["Hi", " there"], token_logprobs: [-0, -1], top_logprobs: [{ Hi: -0, "Hi?": -9 }, { " there": -1, " there?": -9 }], text_offset: [5, 7] },
        },
      ],
      usage: chatBody.usage,
    });
  });
});

describe("stream", () => {
  async function* chatStream(...frames: string[]) {
    yield* frames;
  }
  const read = async (frames: AsyncIterable<string>) => {
    const out: string[] = [];
    for await (const frame of frames) out.push(frame);
    return out;
  };
  const json = (frame: string) => JSON.parse(frame.slice(6)) as Record<string, unknown>;

  it("re-frames chunks, sends the echo first, drops role-only chunks and keeps usage, comments and [DONE]", async () => {
    const frames = await read(
      textCompletionFrames(
        chatStream(
          KEEP_ALIVE_FRAME,
          chunkFrameWriter(header)({ delta: { role: "assistant" }, finishReason: null, nativeFinishReason: null }),
          chunkFrameWriter(header)({ delta: { content: "ab" }, logprobs: logprobsOf(["a", "b"]), finishReason: null, nativeFinishReason: null }),
          chunkFrameWriter(header)({ delta: { content: "c" }, logprobs: logprobsOf(["c"]), finishReason: "stop", nativeFinishReason: "end" }),
          `data: ${JSON.stringify({ ...header, object: "chat.completion.chunk", choices: [], usage: { prompt_tokens: 1, completion_tokens: 3, cost: 0.1 } })}\n\n`,
          DONE_FRAME,
        ),
        { echo: "xy" },
      ),
    );
    expect(frames[0]).toBe(KEEP_ALIVE_FRAME);
    expect(frames.at(-1)).toBe(DONE_FRAME);
    const chunks = frames.slice(1, -1).map(json);
    for (const chunk of chunks) expect(textCompletionSchema.parse(chunk)).toMatchObject({ id: "gen-1", object: "text_completion", provider: "Alpha" });
    expect(chunks.map((chunk) => (chunk.choices as { text: string }[])[0]?.text)).toEqual(["xy", "ab", "c", undefined]);
    expect((chunks[1]!.choices as { logprobs: { text_offset: number[] } }[])[0]!.logprobs.text_offset).toEqual([2, 3]);
    expect((chunks[2]!.choices as Record<string, unknown>[])[0]).toMatchObject({ finish_reason: "stop", native_finish_reason: "end", logprobs: { text_offset: [4] } });
    expect(chunks[3]).toMatchObject({ choices: [], usage: { completion_tokens: 3, cost: 0.1 } });
  });

  it("turns the chat error chunk into a text_completion error chunk, masked the same way", async () => {
    const failure = new AppError("upstream exploded", { httpStatus: 502, errorType: "provider_unavailable" });
    const [frame] = await read(textCompletionFrames(chatStream(errorFrame(header, failure)), { echo: "" }));
    expect(json(frame!)).toMatchObject({
      object: "text_completion",
      error: { code: 502, message: "The provider failed while streaming." },
      choices: [{ index: 0, text: "", finish_reason: "error" }],
    });
  });
});
