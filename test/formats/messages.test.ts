/**
 * The Messages translator's pure functions: request → chat body (accepted by the chat use case's
 * own validation), chat completion → Message, chat stream → Anthropic events.
 */
import { describe, expect, it } from "vitest";
import { AppError } from "../../src/domain/errors.js";
import { anthropicStopReason } from "../../src/domain/anthropic-messages.js";
import { chatToMessage, type ChatCompletionBody } from "../../src/formats/messages/from-chat.js";
import { messagesStream } from "../../src/formats/messages/stream.js";
import { messagesToChat } from "../../src/formats/messages/to-chat.js";
import type { ChatStreamChunk } from "../../src/formats/chat-frames.js";
import { parseChatInput } from "../../src/gateway/chat-input.js";

type Json = Record<string, unknown>;
const ephemeral = { type: "ephemeral" };

/** Translates and checks that the chat use case takes the result as it is. */
function toChat(body: Json): Json {
  const chat = messagesToChat(body);
  parseChatInput(chat);
  return chat;
}

function refusal(body: unknown): AppError {
  try {
    messagesToChat(body);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("not refused");
}

describe("Messages request → chat request", () => {
  it("keeps tool results first and in order, then the turn's other blocks, with their cache markers", () => {
    const chat = toChat({
      model: "m",
      max_tokens: 10,
      messages: [
        { role: "assistant", content: [{ type: "tool_use", id: "a", name: "f", input: { x: 1 } }, { type: "tool_use", id: "b", name: "f", input: {} }] },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "a", content: "first" },
            { type: "tool_result", tool_use_id: "b", content: [{ type: "text", text: "se" }, { type: "text", text: "cond" }], cache_control: ephemeral },
            { type: "text", text: "now what?" },
          ],
        },
      ],
    });
    expect(chat.messages).toEqual([
      {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: "a", type: "function", function: { name: "f", arguments: '{"x":1}' } },
          { id: "b", type: "function", function: { name: "f", arguments: "{}" } },
        ],
      },
      { role: "tool", tool_call_id: "a", content: "first" },
      { role: "tool", tool_call_id: "b", content: [{ type: "text", text: "se" }, { type: "text", text: "cond", cache_control: ephemeral }] },
      { role: "user", content: [{ type: "text", text: "now what?" }] },
    ]);
  });

  it("places images a tool returned after the tool results of the turn, before the turn's own text", () => {
    const image = { type: "image", source: { type: "url", url: "https://example.com/shot.png" } };
    const chat = toChat({
      model: "m",
      messages: [
        { role: "assistant", content: [{ type: "tool_use", id: "a", name: "screenshot", input: {} }, { type: "tool_use", id: "b", name: "f", input: {} }] },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "a", content: [{ type: "text", text: "taken" }, image] },
            { type: "tool_result", tool_use_id: "b", content: [image] },
            { type: "text", text: "look" },
          ],
        },
      ],
    });
    const url = { type: "image_url", image_url: { url: "https://example.com/shot.png" } };
    expect((chat.messages as Json[]).slice(1)).toEqual([
      { role: "tool", tool_call_id: "a", content: [{ type: "text", text: "taken" }] },
      { role: "tool", tool_call_id: "b", content: "" },
      { role: "user", content: [url, url, { type: "text", text: "look" }] },
    ]);
  });

  it("maps system blocks, thinking, tool_choice, stop sequences, metadata.user_id and the service tier", () => {
    const chat = toChat({
      model: "anthropic/claude",
      max_tokens: 4096,
      system: [{ type: "text", text: "Rules", cache_control: ephemeral }],
      stop_sequences: ["END"],
      metadata: { user_id: "u-1" },
      service_tier: "standard_only",
      thinking: { type: "enabled", budget_tokens: 2000 },
      tools: [{ name: "f", input_schema: { type: "object" } }],
      tool_choice: { type: "any", disable_parallel_tool_use: true },
      cache_control: ephemeral,
      output_config: { format: { type: "json_schema", schema: { type: "object", properties: { a: { type: "string" } } } } },
      messages: [{ role: "user", content: "hi" }],
    });
    expect(chat).toMatchObject({
      model: "anthropic/claude",
      max_tokens: 4096,
      stop: ["END"],
      user: "u-1",
      service_tier: "default",
      reasoning: { max_tokens: 2000 },
      tools: [{ type: "function", function: { name: "f", parameters: { type: "object" } } }],
      tool_choice: "required",
      parallel_tool_calls: false,
      cache_control: ephemeral,
      response_format: { type: "json_schema", json_schema: { name: "output", schema: { type: "object", properties: { a: { type: "string" } } }, strict: true } },
    });
    expect((chat.messages as Json[])[0]).toEqual({ role: "system", content: [{ type: "text", text: "Rules", cache_control: ephemeral }] });
    expect(toChat({ model: "m", messages: [{ role: "user", content: "x" }], tool_choice: { type: "tool", name: "f" }, tools: [{ name: "f", input_schema: {} }] }).tool_choice).toEqual({ type: "function", function: { name: "f" } });
    expect(toChat({ model: "m", messages: [{ role: "user", content: "x" }], thinking: { type: "adaptive" } }).reasoning).toEqual({ enabled: true });
    expect(toChat({ model: "m", messages: [{ role: "user", content: "x" }], thinking: { type: "disabled" } })).not.toHaveProperty("reasoning");
  });

  it("carries thinking with its signature and redacted thinking as reasoning details, in block order", () => {
    const chat = toChat({
      model: "m",
      messages: [
        { role: "user", content: "q" },
        { role: "assistant", content: [{ type: "thinking", thinking: "hmm", signature: "sig" }, { type: "redacted_thinking", data: "blob" }, { type: "text", text: "a" }] },
      ],
    });
    expect((chat.messages as Json[])[1]).toEqual({
      role: "assistant",
      content: [{ type: "text", text: "a" }],
      reasoning_details: [
        { type: "reasoning.text", text: "hmm", signature: "sig", format: "anthropic-claude-v1", index: 0 },
        { type: "reasoning.encrypted", data: "blob", format: "anthropic-claude-v1", index: 1 },
      ],
    });
  });

  it("turns documents into file parts: base64, plain text (as UTF-8 base64), URL and file id", () => {
    const chat = toChat({
      model: "m",
      messages: [
        {
          role: "user",
          content: [
            { type: "document", source: { type: "text", media_type: "text/plain", data: "héllo" }, title: "note" },
            { type: "document", source: { type: "url", url: "https://example.com/a.pdf" } },
            { type: "document", source: { type: "file", file_id: "file_1" }, cache_control: ephemeral },
            { type: "image", source: { type: "url", url: "https://example.com/a.png" } },
          ],
        },
      ],
    });
    expect((chat.messages as Json[])[0]).toEqual({
      role: "user",
      content: [
        { type: "file", file: { filename: "note", file_data: `data:text/plain;base64,${Buffer.from("héllo").toString("base64")}` } },
        { type: "file", file: { file_data: "https://example.com/a.pdf" } },
        { type: "file", file: { file_id: "file_1" }, cache_control: ephemeral },
        { type: "image_url", image_url: { url: "https://example.com/a.png" } },
      ],
    });
  });

  it("refuses what it cannot translate with a 400 naming the field", () => {
    const unknown = refusal({ model: "m", messages: [{ role: "user", content: [{ type: "text", text: "x" }, { type: "web_search_tool_result", tool_use_id: "s", content: [] }] }] });
    expect(unknown.httpStatus).toBe(400);
    expect(unknown.metadata.param).toBe("messages.0.content.1.type");
    expect(unknown.message).toMatch(/"web_search_tool_result" cannot be translated/);
    const nested = refusal({
      model: "m",
      messages: [{ role: "user", content: [{ type: "tool_result", tool_use_id: "t", content: [{ type: "search_result", source: "s", title: "t", content: [] }] }] }],
    });
    expect(nested.metadata.param).toBe("messages.0.content.0.content.0.type");
    expect(refusal({ model: "m", tools: [{ type: "bash_20250124", name: "bash" }], messages: [{ role: "user", content: "x" }] }).metadata.param).toBe("tools.0");
    expect(refusal({ model: "m", messages: [] }).message).toMatch(/messages must not be empty/);
    expect(refusal([1, 2]).message).toMatch(/JSON object/);
  });
});

const completion = (message: ChatCompletionBody["choices"][number]["message"], finish: string, native: string | null = null): ChatCompletionBody => ({
  id: "gen-1",
  model: "m",
  provider: "P",
  choices: [{ finish_reason: finish, native_finish_reason: native, message }],
  usage: { prompt_tokens: 100, completion_tokens: 20, prompt_tokens_details: { cached_tokens: 60, cache_write_tokens: 30 }, completion_tokens_details: { reasoning_tokens: 5 }, cost: 0.5 },
});

describe("chat completion → Message", () => {
  it("joins reasoning pieces per index with their signature, keeps redacted thinking, then text and tool_use", () => {
    const message = chatToMessage(
      completion(
        {
          content: "answer",
          reasoning_details: [
            { type: "reasoning.text", text: "a", index: 0 },
            { type: "reasoning.text", text: "b", index: 0 },
            { type: "reasoning.text", text: "", signature: "s1", index: 0 },
            { type: "reasoning.encrypted", data: "x", index: 1 },
          ],
          tool_calls: [{ id: "c", function: { name: "f", arguments: "not json" } }],
        },
        "tool_calls",
      ),
    );
    expect(message.content).toEqual([
      { type: "thinking", thinking: "ab", signature: "s1" },
      { type: "redacted_thinking", data: "x" },
      { type: "text", text: "answer", citations: null },
      { type: "tool_use", id: "c", caller: { type: "direct" }, name: "f", input: { arguments: "not json" } },
    ]);
    expect(message.stop_reason).toBe("tool_use");
    expect(message.usage).toMatchObject({ input_tokens: 10, cache_read_input_tokens: 60, cache_creation_input_tokens: 30, output_tokens: 20, output_tokens_details: { thinking_tokens: 5 }, cost: 0.5 });
  });

  it("gives reasoning that came without details as one unsigned thinking block", () => {
    expect(chatToMessage(completion({ content: "a", reasoning: "thought" }, "stop")).content[0]).toEqual({ type: "thinking", thinking: "thought", signature: "" });
  });

  it("keeps Claude's own stop reason when it agrees with the finish, and maps the others", () => {
    expect(anthropicStopReason("stop", "stop_sequence")).toBe("stop_sequence");
    expect(anthropicStopReason("stop", "pause_turn")).toBe("pause_turn");
    expect(anthropicStopReason("stop", "stop")).toBe("end_turn");
    expect(anthropicStopReason("length", "MAX_TOKENS")).toBe("max_tokens");
    expect(anthropicStopReason("content_filter", null)).toBe("refusal");
    expect(anthropicStopReason("tool_calls", "end_turn")).toBe("tool_use");
  });
});

const chunk = (delta: Json, finish: string | null = null): ChatStreamChunk => ({ id: "gen-9", model: "m", created: 1, choices: [{ index: 0, delta, finish_reason: finish }] });

async function events(chunks: ChatStreamChunk[]): Promise<Array<{ event: string; data: Json }>> {
  async function* source() {
    yield* chunks;
  }
  const out = [];
  for await (const frame of messagesStream(source())) {
    const [eventLine, dataLine] = frame.trimEnd().split("\n");
    out.push({ event: eventLine!.slice("event: ".length), data: JSON.parse(dataLine!.slice("data: ".length)) as Json });
  }
  return out;
}

describe("chat stream → Anthropic events", () => {
  it("opens one block per kind of delta, numbered in order, and ends with the stop reason and the whole usage", async () => {
    const seen = await events([
      chunk({ role: "assistant", content: "" }),
      chunk({ reasoning: "Th", reasoning_details: [{ type: "reasoning.text", text: "Th", index: 0 }] }),
      chunk({ reasoning: "ink", reasoning_details: [{ type: "reasoning.text", text: "ink", index: 0 }] }),
      chunk({ reasoning_details: [{ type: "reasoning.text", text: "", signature: "sig", index: 0 }] }),
      chunk({ content: "Hi" }),
      chunk({ tool_calls: [{ index: 0, id: "t1", type: "function", function: { name: "f", arguments: "" } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"a":' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: "1}" } }] }),
      chunk({ tool_calls: [{ index: 1, id: "t2", type: "function", function: { name: "g", arguments: "{}" } }] }),
      chunk({}, "tool_calls"),
      { id: "gen-9", model: "m", created: 1, choices: [], usage: { prompt_tokens: 50, completion_tokens: 9, prompt_tokens_details: { cached_tokens: 40 } } },
    ]);
    expect(seen.map(({ event, data }) => `${event}${data.index === undefined ? "" : `:${String(data.index)}`}`)).toEqual([
      "message_start", "ping",
      "content_block_start:0", "content_block_delta:0", "content_block_delta:0", "content_block_delta:0", "content_block_stop:0",
      "content_block_start:1", "content_block_delta:1", "content_block_stop:1",
      "content_block_start:2", "content_block_delta:2", "content_block_delta:2", "content_block_stop:2",
      "content_block_start:3", "content_block_delta:3", "content_block_stop:3",
      "message_delta", "message_stop",
    ]);
    expect(seen[0]!.data.message).toMatchObject({ id: "gen-9", model: "m", content: [] });
    expect(seen[5]!.data.delta).toEqual({ type: "signature_delta", signature: "sig" });
    expect(seen[10]!.data.content_block).toEqual({ type: "tool_use", id: "t1", caller: { type: "direct" }, name: "f", input: {} });
    expect(seen.at(-2)!.data).toMatchObject({ delta: { stop_reason: "tool_use", stop_sequence: null }, usage: { input_tokens: 10, cache_read_input_tokens: 40, output_tokens: 9 } });
  });

  it("turns a mid-stream error chunk into an error event and stops there", async () => {
    const seen = await events([
      chunk({ content: "par" }),
      { id: "gen-9", model: "m", created: 1, choices: [{ index: 0, delta: { content: "" }, finish_reason: "error" }], error: { code: 429, message: "slow down" } },
    ]);
    expect(seen.map(({ event }) => event)).toEqual(["message_start", "ping", "content_block_start", "content_block_delta", "content_block_stop", "error"]);
    expect(seen.at(-1)!.data).toEqual({ type: "error", error: { type: "rate_limit_error", message: "slow down" } });
  });
});
