import { describe, expect, it } from "vitest";
import { chunkFrameWriter } from "../../src/gateway/stream-chunk-frame.js";
import type { StreamChunk } from "../../src/providers/spec.js";

/** The frame as the whole chunk object serialized at once (what a client parses). */
function wholeFrame(header: { id: string; provider: string; model: string; created: number }, chunk: StreamChunk): string {
  const choice = { index: 0, delta: chunk.delta, finish_reason: chunk.finishReason, native_finish_reason: chunk.nativeFinishReason, logprobs: chunk.logprobs ?? null };
  return `data: ${JSON.stringify({ id: header.id, provider: header.provider, model: header.model, object: "chat.completion.chunk", created: header.created, choices: [choice] })}\n\n`;
}

describe("a stream's chunk frames", () => {
  const headers = [
    { id: "gen-1", provider: "OpenAI", model: "openai/gpt-4o", created: 1_700_000_000 },
    { id: 'gen-"quoted"\\', provider: "Prov\u2028ider é", model: "a/b\n", created: 0 },
  ];
  const chunks: StreamChunk[] = [
    { delta: { role: "assistant" }, finishReason: null, nativeFinishReason: null },
    { delta: { content: "hé \"x\"\n\u0001 😀" }, finishReason: null, nativeFinishReason: null },
    { delta: { reasoning: "think", reasoning_details: [{ type: "reasoning.text", text: "think" }] }, finishReason: null, nativeFinishReason: null },
    { delta: { tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: "f", arguments: '{"a":1}' } }] }, finishReason: null, nativeFinishReason: null },
    { delta: {}, logprobs: { content: [{ token: "a", logprob: -0.5, bytes: [97], top_logprobs: [] }] }, finishReason: "stop", nativeFinishReason: "end_turn" },
    { delta: { content: "" }, finishReason: "length", nativeFinishReason: "max_tokens" },
  ];

  it("are byte for byte the whole chunk object serialized", () => {
    for (const header of headers) {
      const frame = chunkFrameWriter(header);
      for (const chunk of chunks) expect(frame(chunk)).toBe(wholeFrame(header, chunk));
    }
  });

  it("parse back to the chunk", () => {
    const frame = chunkFrameWriter(headers[1]!)(chunks[1]!);
    expect(JSON.parse(frame.slice("data: ".length))).toEqual({
      id: headers[1]!.id,
      provider: headers[1]!.provider,
      model: headers[1]!.model,
      object: "chat.completion.chunk",
      created: 0,
      choices: [{ index: 0, delta: chunks[1]!.delta, finish_reason: null, native_finish_reason: null, logprobs: null }],
    });
  });
});
