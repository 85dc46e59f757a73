/**
 * The Responses request as a chat request: how items fold into chat turns, reasoning items
 * become reasoning_details again (signature and encrypted content kept), and which settings map
 * to which chat fields. Pure functions: no server.
 */
import { describe, expect, it } from "vitest";
import { AppError } from "../../../src/domain/errors.js";
import { toChatRequest } from "../../../src/formats/responses/to-chat-request.js";

const chatOf = (body: Record<string, unknown>) => toChatRequest({ model: "m", ...body }).chat;

describe("input items as chat turns", () => {
  it("folds reasoning, an assistant message and its function calls into one assistant turn; outputs become tool messages", () => {
    const { messages } = chatOf({
      instructions: "Be brief.",
      input: [
        { role: "user", content: "Weather in Oslo and Rome?" },
        { type: "reasoning", id: "rs-1", summary: [], content: [{ type: "reasoning_text", text: "Two calls." }], signature: "sig", format: "anthropic-claude-v1" },
        { type: "message", role: "assistant", content: [{ type: "output_text", text: "Checking." }] },
        { type: "function_call", call_id: "c1", name: "weather", arguments: '{"city":"Oslo"}' },
        { type: "function_call", call_id: "c2", name: "weather", arguments: '{"city":"Rome"}' },
        { type: "function_call_output", call_id: "c1", output: "-3C" },
        { type: "function_call_output", call_id: "c2", output: [{ type: "input_text", text: "18C" }] },
        { role: "assistant", content: "Oslo is cold." },
        { role: "assistant", content: "Rome is mild." },
        { role: "developer", content: [{ type: "input_text", text: "Answer in French." }] },
      ],
    });
    expect(messages).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "Weather in Oslo and Rome?" },
      {
        role: "assistant",
        content: "Checking.",
        tool_calls: [
          { id: "c1", type: "function", function: { name: "weather", arguments: '{"city":"Oslo"}' } },
          { id: "c2", type: "function", function: { name: "weather", arguments: '{"city":"Rome"}' } },
        ],
        reasoning_details: [{ type: "reasoning.text", text: "Two calls.", signature: "sig", format: "anthropic-claude-v1", index: 0 }],
      },
      { role: "tool", tool_call_id: "c1", content: "-3C" },
      { role: "tool", tool_call_id: "c2", content: [{ type: "text", text: "18C" }] },
      { role: "assistant", content: "Oslo is cold." },
      { role: "assistant", content: "Rome is mild." },
      { role: "developer", content: [{ type: "text", text: "Answer in French." }] },
    ]);
  });

  it("a reasoning item's summary and encrypted content go back as reasoning.summary and reasoning.encrypted", () => {
    const { messages } = chatOf({
      input: [
        { role: "user", content: "Q" },
        { type: "reasoning", id: "rs_9", summary: [{ type: "summary_text", text: "Thought." }], encrypted_content: "gAAA", format: "openai-responses-v1" },
        { role: "assistant", content: "A" },
        { role: "user", content: "Again" },
      ],
    }) as { messages: Record<string, unknown>[] };
    expect(messages[1]).toEqual({
      role: "assistant",
      content: "A",
      reasoning_details: [
        { type: "reasoning.summary", summary: "Thought.", format: "openai-responses-v1" },
        { type: "reasoning.encrypted", data: "gAAA", id: "rs_9", format: "openai-responses-v1" },
      ],
    });
  });

  it("user parts: images, files and audio as chat parts", () => {
    const { messages } = chatOf({
      input: [
        {
          role: "user",
          content: [
            { type: "input_text", text: "Look" },
            { type: "input_image", image_url: "https://x/y.png", detail: "low" },
            { type: "input_file", filename: "a.pdf", file_data: "data:application/pdf;base64,JVBE" },
            { type: "input_file", file_url: "https://x/b.pdf" },
            { type: "input_audio", input_audio: { data: "UklG", format: "wav" } },
          ],
        },
      ],
    }) as { messages: { content: unknown[] }[] };
    expect(messages[0]!.content).toEqual([
      { type: "text", text: "Look" },
      { type: "image_url", image_url: { url: "https://x/y.png", detail: "low" } },
      { type: "file", file: { filename: "a.pdf", file_data: "data:application/pdf;base64,JVBE" } },
      { type: "file", file: { file_data: "https://x/b.pdf" } },
      { type: "input_audio", input_audio: { data: "UklG", format: "wav" } },
    ]);
  });
});

describe("settings", () => {
  it("maps the Responses settings onto chat's fields", () => {
    const chat = chatOf({
      input: "Hi",
      stream: true,
      max_output_tokens: 64,
      top_logprobs: 2,
      safety_identifier: "end-user-1",
      tools: [{ type: "function", name: "f", parameters: { type: "object" }, strict: true }],
      tool_choice: "required",
      text: { format: { type: "json_object" }, verbosity: "low" },
      reasoning: { summary: "auto" },
      provider: { order: ["alpha"] },
      models: ["m", "backup"],
      session_id: "conversation-1",
      metadata: { trace: "t1" },
      temperature: 0.2,
    });
    expect(chat).toEqual({
      model: "m",
      models: ["m", "backup"],
      session_id: "conversation-1",
      metadata: { trace: "t1" },
      temperature: 0.2,
      stream: true,
      messages: [{ role: "user", content: "Hi" }],
      max_tokens: 64,
      logprobs: true,
      top_logprobs: 2,
      user: "end-user-1",
      tools: [{ type: "function", function: { name: "f", parameters: { type: "object" }, strict: true } }],
      tool_choice: "required",
      response_format: { type: "json_object" },
      verbosity: "low",
      reasoning: { enabled: true },
      provider: { order: ["alpha"] },
    });
    expect(chatOf({ input: "Hi", reasoning: { effort: "high", summary: "auto", exclude: true } }).reasoning).toEqual({ effort: "high", exclude: true });
  });

  it.each([
    [{ input: "Hi", store: true }, "store"],
    [{ input: "Hi", previous_response_id: "resp_1" }, "previous_response_id"],
    [{ input: "Hi", conversation: "conv_1" }, "conversation"],
    [{ input: "Hi", background: true }, "background"],
    [{ input: [{ type: "function_call", call_id: "c", name: "f" }] }, "input.0.arguments"],
    [{ input: [{ role: "user", content: [{ type: "input_image", file_id: "file-1" }] }] }, "input.0.content.0.image_url"],
    [{ input: [{ role: "assistant", content: [{ type: "input_image", image_url: "https://x" }] }] }, "input.0.content.0"],
    [{ input: "Hi", text: { format: { type: "json_schema", schema: {} } } }, "text.format.name"],
    [{ input: "Hi", tool_choice: { type: "web_search_preview" } }, "tool_choice.type"],
    [{ input: "Hi", safety_identifier: "a\u0000b" }, "safety_identifier"],
    [{ input: "Hi", model: "\ud800" }, "model"],
  ])("refuses %j with a 400 naming %s", (body, param) => {
    let caught: unknown;
    try {
      toChatRequest({ model: "m", ...body });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect(caught).toMatchObject({ httpStatus: 400, metadata: { param } });
  });

  it("store: false and a null previous_response_id are fine", () => {
    expect(() => toChatRequest({ model: "m", input: "Hi", store: false, previous_response_id: null })).not.toThrow();
  });
});
