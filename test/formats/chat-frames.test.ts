import { describe, expect, it } from "vitest";
import { chatChunks, readChatFrame } from "../../src/formats/chat-frames.js";
import { DONE_FRAME, KEEP_ALIVE_FRAME, usageFrame } from "../../src/gateway/wire-response.js";
import { chunkFrameWriter } from "../../src/gateway/stream-chunk-frame.js";

const header = { id: "gen-1", model: "openai/gpt-4o", provider: "OpenAI", created: 1 };

describe("reading the chat stream's frames", () => {
  it("reads chunks, the usage chunk, comments and the terminator", async () => {
    const content = chunkFrameWriter(header)({ delta: { content: "hé\n" }, finishReason: null, nativeFinishReason: null });
    expect(readChatFrame(content)).toMatchObject({ kind: "chunk", chunk: { id: "gen-1", choices: [{ delta: { content: "hé\n" } }] } });
    expect(readChatFrame(KEEP_ALIVE_FRAME)).toEqual({ kind: "comment" });
    expect(readChatFrame(DONE_FRAME)).toEqual({ kind: "done" });
    const usage = usageFrame(
      header,
      { promptTokens: 3, completionTokens: 2, cachedPromptTokens: 0, cacheWritePromptTokens: 0, reasoningTokens: 0 },
      { chargedNano: 1_050n, usageNano: 1_000n, feeNano: 50n, promptBaseNano: 600n, completionBaseNano: 400n } as never,
    );
    async function* frames() {
      yield KEEP_ALIVE_FRAME;
      yield content;
      yield usage;
      yield DONE_FRAME;
    }
    const chunks = [];
    for await (const chunk of chatChunks(frames())) chunks.push(chunk);
    expect(chunks).toHaveLength(2);
    expect(chunks[1]).toMatchObject({ choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, cost: 0.00000105 } });
  });
});
