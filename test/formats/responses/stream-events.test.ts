/**
 * The stream writer on its own: chat chunks in (reasoning with its signature, text, interleaved
 * tool-call deltas, a refusal, the usage chunk, a mid-stream error), Responses SSE frames out.
 * Every frame is replayed through the `openai` SDK's own accumulator, which throws on an event
 * that refers to an item or part not announced, and checked against the route's response schema.
 */
import { accumulateResponse } from "openai/lib/responses/ResponseAccumulator";
import type { Response as OpenAIResponse, ResponseStreamEvent } from "openai/resources/responses/responses";
import { describe, expect, it } from "vitest";
import type { ChatStreamChunk } from "../../../src/formats/chat-frames.js";
import { responseContext } from "../../../src/formats/responses/response-object.js";
import { responseObjectSchema, streamEventSchema } from "../../../src/formats/responses/response-schema.js";
import { ResponsesStreamWriter } from "../../../src/formats/responses/stream-events.js";
import { toChatRequest } from "../../../src/formats/responses/to-chat-request.js";

type Delta = ChatStreamChunk["choices"][number]["delta"];

const chunk = (delta: Delta, finish: string | null = null): ChatStreamChunk => ({
  id: "gen-1-abc",
  model: "test/model",
  created: 1_700_000_000,
  choices: [{ index: 0, delta, finish_reason: finish }],
});
const usageChunk: ChatStreamChunk = {
  id: "gen-1-abc",
  model: "test/model",
  created: 1_700_000_000,
  choices: [],
  usage: { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30, completion_tokens_details: { reasoning_tokens: 5 }, cost: 0.000123, is_byok: false },
};

function writerFor(body: Record<string, unknown> = {}): ResponsesStreamWriter {
  const { request } = toChatRequest({ model: "test/model", input: "Hi", ...body });
  return new ResponsesStreamWriter(responseContext(request), { id: "gen-1-abc", model: "test/model", createdAt: 1_700_000_000 }, () => 1_700_000_009);
}

/** Reads the frames back, checks the SSE envelope and the numbering, and replays them through the SDK. */
function replay(frames: string[]): { events: ResponseStreamEvent[]; snapshot: OpenAIResponse; done: boolean } {
  const events: ResponseStreamEvent[] = [];
  let done = false;
  for (const frame of frames) {
    if (frame === "data: [DONE]\n\n") {
      done = true;
      continue;
    }
    const match = /^event: (\S+)\ndata: (.+)\n\n$/su.exec(frame);
    expect(match, frame).not.toBeNull();
    const event = streamEventSchema.parse(JSON.parse(match![2]!));
    expect(event.type).toBe(match![1]);
    events.push(event as unknown as ResponseStreamEvent);
  }
  expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
  let snapshot: OpenAIResponse | undefined;
  for (const event of events) {
    snapshot = accumulateResponse(event, snapshot);
    if ("response" in event) responseObjectSchema.parse(event.response);
  }
  return { events, snapshot: snapshot!, done };
}

describe("the Responses stream writer", () => {
  it("reasoning, text and interleaved tool calls become well-ordered items; the usage ends it", () => {
    const writer = writerFor();
    const frames = [
      chunk({ role: "assistant" }),
      chunk({ reasoning: "Think ", reasoning_details: [{ type: "reasoning.text", text: "Think ", format: "anthropic-claude-v1", index: 0 }] }),
      chunk({ reasoning: "more.", reasoning_details: [{ type: "reasoning.text", text: "more.", format: "anthropic-claude-v1", index: 0 }] }),
      chunk({ reasoning_details: [{ type: "reasoning.text", text: "", signature: "sig", format: "anthropic-claude-v1", index: 0 }] }),
      chunk({ content: "Hel" }),
      chunk({ content: "lo" }),
      chunk({ tool_calls: [{ index: 0, id: "c1", type: "function", function: { name: "f", arguments: "" } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"a":' } }] }),
      chunk({ tool_calls: [{ index: 1, id: "c2", type: "function", function: { name: "g", arguments: "{}" } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: "1}" } }] }),
      chunk({}, "tool_calls"),
      usageChunk,
    ].flatMap((c) => writer.chunk(c));
    frames.push(...writer.end());
    const { events, snapshot, done } = replay(frames);
    expect(done).toBe(true);
    expect(events.at(-1)!.type).toBe("response.completed");
    expect(snapshot).toMatchObject({ status: "completed", completed_at: 1_700_000_009, model: "test/model", output_text: "Hello" });
    expect(snapshot.output).toEqual([
      { type: "reasoning", id: "rs-1-abc-0", summary: [], content: [{ type: "reasoning_text", text: "Think more." }], signature: "sig", format: "anthropic-claude-v1", status: "completed" },
      { type: "message", id: "msg-1-abc-1", role: "assistant", status: "completed", content: [{ type: "output_text", text: "Hello", annotations: [] }] },
      { type: "function_call", id: "fc-1-abc-2", call_id: "c1", name: "f", arguments: '{"a":1}', status: "completed" },
      { type: "function_call", id: "fc-1-abc-3", call_id: "c2", name: "g", arguments: "{}", status: "completed" },
    ]);
    expect(snapshot.usage).toMatchObject({ input_tokens: 10, output_tokens: 20, total_tokens: 30, output_tokens_details: { reasoning_tokens: 5 }, cost: 0.000123 });
    // the reasoning item is done before the message starts, the message before the first call
    const order = events.filter((event) => event.type === "response.output_item.added" || event.type === "response.output_item.done").map((event) => `${event.type.split(".").at(-1)}:${(event as { output_index: number }).output_index}`);
    expect(order).toEqual(["added:0", "done:0", "added:1", "done:1", "added:2", "added:3", "done:2", "done:3"]);
  });

  it("a summary and encrypted reasoning: the summary streams, the encrypted content appears only when included", () => {
    const details = [
      { type: "reasoning.summary", summary: "Brief ", format: "openai-responses-v1", index: 0 },
      { type: "reasoning.summary", summary: "thought.", format: "openai-responses-v1", index: 0 },
      { type: "reasoning.encrypted", data: "gAAA", format: "openai-responses-v1", index: 1 },
    ];
    const run = (include: string[]) => {
      const writer = writerFor({ include });
      const frames = [...details.map((detail) => chunk({ reasoning_details: [detail] })), chunk({ content: "A" }, "stop"), usageChunk].flatMap((c) => writer.chunk(c));
      return replay([...frames, ...writer.end()]);
    };
    const plain = run([]);
    expect(plain.snapshot.output[0]).toEqual({ type: "reasoning", id: "rs-1-abc-0", summary: [{ type: "summary_text", text: "Brief thought." }], format: "openai-responses-v1", status: "completed" });
    expect(plain.events.filter((event) => event.type === "response.reasoning_summary_text.delta")).toHaveLength(2);
    expect(run(["reasoning.encrypted_content"]).snapshot.output[0]).toMatchObject({ encrypted_content: "gAAA" });
  });

  it("a refusal is its own content part; a length stop ends incomplete", () => {
    const writer = writerFor();
    const frames = [chunk({ refusal: "I can" }), chunk({ refusal: "not." }, "length"), usageChunk].flatMap((c) => writer.chunk(c));
    const { events, snapshot } = replay([...frames, ...writer.end()]);
    expect(events.at(-1)!.type).toBe("response.incomplete");
    expect(snapshot).toMatchObject({ status: "incomplete", incomplete_details: { reason: "max_output_tokens" }, completed_at: null });
    expect(snapshot.output).toEqual([{ type: "message", id: "msg-1-abc-0", role: "assistant", status: "incomplete", content: [{ type: "refusal", refusal: "I cannot." }] }]);
  });

  it("logprobs asked with top_logprobs ride on the text deltas and the finished part", () => {
    const writer = writerFor({ top_logprobs: 1 });
    const logprob = { token: "Hi", logprob: -0.1, bytes: [72, 105], top_logprobs: [{ token: "Hi", logprob: -0.1, bytes: [72, 105] }] };
    const frames = [{ ...chunk({ content: "Hi" }, "stop"), choices: [{ index: 0, delta: { content: "Hi" }, finish_reason: "stop", logprobs: { content: [logprob] } }] }, usageChunk].flatMap((c) => writer.chunk(c));
    const { events, snapshot } = replay([...frames, ...writer.end()]);
    expect(events.find((event) => event.type === "response.output_text.delta")).toMatchObject({ logprobs: [logprob] });
    expect(snapshot.output[0]).toMatchObject({ content: [{ type: "output_text", text: "Hi", logprobs: [logprob] }] });
  });

  it("a mid-stream error ends the stream with response.failed, what was produced kept as incomplete", () => {
    const writer = writerFor();
    const failure: ChatStreamChunk = { ...chunk({ content: "" }, "error"), error: { code: 429, message: "Slow down" } };
    const frames = [chunk({ content: "Part" }), failure].flatMap((c) => writer.chunk(c));
    const { events, snapshot, done } = replay(frames);
    expect(done).toBe(false);
    expect(events.at(-1)!.type).toBe("response.failed");
    expect(snapshot).toMatchObject({ status: "failed", error: { code: "rate_limit_exceeded", message: "Slow down" }, output_text: "Part" });
    expect(snapshot.output[0]).toMatchObject({ status: "incomplete" });
  });

  it("a failure before any chunk is a created response that failed", () => {
    const { events, snapshot } = replay(writerFor().fail({ code: 502, message: "The request failed." }));
    expect(events.map((event) => event.type)).toEqual(["response.created", "response.in_progress", "response.failed"]);
    expect(snapshot).toMatchObject({ status: "failed", error: { code: "server_error" }, output: [] });
  });
});
