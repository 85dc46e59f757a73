/**
 * Protocol-specific translation details the shared conformance suite does not reach: parameter
 * filtering, tool-choice and reasoning mappings, turn merging, provider dialects of usage and
 * errors. Request builders and response parsers are pure, so they are tested directly.
 */
import { describe, expect, it } from "vitest";
import { messagesUrl } from "../../src/providers/anthropic/adapter.js";
import { DEFAULT_MAX_TOKENS, toAnthropicBody } from "../../src/providers/anthropic/request.js";
import { geminiUrl } from "../../src/providers/gemini/adapter.js";
import { toGeminiBody } from "../../src/providers/gemini/request.js";
import { fromGeminiResponse, geminiErrorDetails } from "../../src/providers/gemini/response.js";
import { toOpenAIBody } from "../../src/providers/openai-compatible/request.js";
import { fromOpenAIResponse } from "../../src/providers/openai-compatible/response.js";
import { translateOpenAIStream } from "../../src/providers/openai-compatible/stream.js";
import type { SseEvent } from "../../src/providers/shared/sse-parser.js";
import { UpstreamError, type AdapterContext, type ChatRequest, type StreamChunk } from "../../src/providers/spec.js";

const context = (supportedParameters?: string[]): AdapterContext => ({
  apiKey: "k",
  baseUrl: "http://upstream",
  timeouts: { connectMs: 1, firstByteMs: 1, idleMs: 1 },
  ...(supportedParameters ? { supportedParameters } : {}),
});

const toolConversation: ChatRequest = {
  model: "m",
  messages: [
    { role: "system", content: "Be brief." },
    { role: "user", content: "Weather in Paris and Oslo?" },
    {
      role: "assistant",
      content: "Checking.",
      tool_calls: [
        { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
        { id: "call_2", type: "function", function: { name: "get_time", arguments: '{"city":"Oslo"}' } },
      ],
    },
    { role: "tool", tool_call_id: "call_1", content: '{"sky":"sunny"}' },
    { role: "tool", tool_call_id: "call_2", content: "14:00" },
    { role: "user", content: "Thanks, and tomorrow?" },
  ],
};

async function* events(...data: string[]): AsyncGenerator<SseEvent> {
  for (const item of data) yield { event: "message", data: item };
}

async function collect(chunks: AsyncIterable<StreamChunk>): Promise<StreamChunk[]> {
  const out: StreamChunk[] = [];
  for await (const chunk of chunks) out.push(chunk);
  return out;
}

describe("OpenAI-compatible translation", () => {
  const request: ChatRequest = {
    model: "m",
    messages: [{ role: "user", content: "hi" }],
    temperature: 0.5,
    top_k: 40,
    repetition_penalty: 1.1,
    max_tokens: 100,
    reasoning: { effort: "high" },
  };

  it("sends everything to an endpoint without a parameter list", () => {
    const body = toOpenAIBody(request, context(), false);
    expect(body).toMatchObject({ temperature: 0.5, top_k: 40, repetition_penalty: 1.1, max_tokens: 100, reasoning_effort: "high" });
    expect(body.stream).toBeUndefined();
  });

  it("drops parameters a strict endpoint does not list and uses max_completion_tokens when that is what it takes", () => {
    const body = toOpenAIBody(request, context(["temperature", "max_completion_tokens", "reasoning_effort"]), true);
    expect(body).toMatchObject({ temperature: 0.5, max_completion_tokens: 100, reasoning_effort: "high", stream: true, stream_options: { include_usage: true } });
    expect(body).not.toHaveProperty("top_k");
    expect(body).not.toHaveProperty("max_tokens");
  });

  it("prefers max_completion_tokens whenever the endpoint lists it, even beside max_tokens (OpenAI's reasoning models refuse max_tokens)", () => {
    const body = toOpenAIBody(request, context(["max_tokens", "max_completion_tokens"]), false);
    expect(body.max_completion_tokens).toBe(100);
    expect(body).not.toHaveProperty("max_tokens");
    expect(toOpenAIBody(request, context(["max_tokens"]), false).max_tokens).toBe(100);
  });

  it("passes the reasoning object to endpoints that accept it (OpenRouter-style)", () => {
    expect(toOpenAIBody(request, context(["reasoning", "max_tokens"]), false).reasoning).toEqual({ effort: "high" });
  });

  it("keeps cache breakpoints only for endpoints that accept them", () => {
    const cached: ChatRequest = {
      model: "m",
      messages: [{ role: "user", content: [{ type: "text", text: "long document", cache_control: { type: "ephemeral" } }] }],
    };
    const kept = toOpenAIBody(cached, context(), false).messages as { content: Record<string, unknown>[] }[];
    expect(kept[0]?.content[0]?.cache_control).toEqual({ type: "ephemeral" });
    const stripped = toOpenAIBody(cached, context(["temperature"]), false).messages as { content: Record<string, unknown>[] }[];
    expect(stripped[0]?.content[0]).toEqual({ type: "text", text: "long document" });
  });

  it("reads DeepSeek's reasoning_content and prompt_cache_hit_tokens", () => {
    const response = fromOpenAIResponse(
      {
        id: "x",
        model: "deepseek-reasoner",
        choices: [{ index: 0, message: { role: "assistant", content: "4", reasoning_content: "2+2" }, finish_reason: "stop" }],
        usage: { prompt_tokens: 50, completion_tokens: 10, prompt_cache_hit_tokens: 32, completion_tokens_details: { reasoning_tokens: 6 } },
      },
      "m",
    );
    expect(response.message.reasoning).toBe("2+2");
    expect(response.usage).toEqual({ promptTokens: 50, completionTokens: 10, cachedPromptTokens: 32, cacheWritePromptTokens: 0, reasoningTokens: 6 });
  });

  it("rejects a body without choices as an invalid response", () => {
    expect(() => fromOpenAIResponse({ id: "x", object: "chat.completion" }, "m")).toThrowError(UpstreamError);
  });

  it("reads Groq's usage under x_groq and a numeric mid-stream error code", async () => {
    const chunks = await collect(
      translateOpenAIStream(
        events(
          JSON.stringify({ id: "g", model: "llama", choices: [{ index: 0, delta: { role: "assistant", content: "Hi" }, finish_reason: null }] }),
          JSON.stringify({ id: "g", choices: [{ index: 0, delta: {}, finish_reason: "stop" }], x_groq: { usage: { prompt_tokens: 3, completion_tokens: 1 } } }),
          "[DONE]",
        ),
        { upstreamId: "", model: "" },
      ),
    );
    expect(chunks.at(-1)?.usage?.promptTokens).toBe(3);
    const failing = translateOpenAIStream(events(JSON.stringify({ error: { code: 429, message: "Rate limited" } })), { upstreamId: "", model: "" });
    await expect(collect(failing)).rejects.toMatchObject({ kind: "http", status: 429, retryable: true });
  });
});

describe("Anthropic translation", () => {
  it("moves system out, merges tool results into one user turn ahead of the next user text", () => {
    const body = toAnthropicBody(toolConversation, context(), false);
    expect(body.system).toBe("Be brief.");
    expect(body.max_tokens).toBe(DEFAULT_MAX_TOKENS);
    const messages = body.messages as { role: string; content: { type: string }[] }[];
    expect(messages.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
    expect(messages[1]?.content.map((b) => b.type)).toEqual(["text", "tool_use", "tool_use"]);
    expect(messages[2]?.content.map((b) => b.type)).toEqual(["tool_result", "tool_result", "text"]);
  });

  it("keeps prompt-cache breakpoints on system, user, tool-result and assistant blocks", () => {
    const cache = { type: "ephemeral" as const };
    const body = toAnthropicBody(
      {
        model: "m",
        messages: [
          { role: "system", content: [{ type: "text", text: "Rules.", cache_control: cache }] },
          { role: "user", content: [{ type: "text", text: "Doc", cache_control: { type: "ephemeral", ttl: "1h" } }, { type: "text", text: "Q?" }] },
          { role: "assistant", content: [{ type: "text", text: "A.", cache_control: cache }] },
          { role: "user", content: "Next" },
        ],
      },
      context(),
      false,
    );
    expect(body.system).toEqual([{ type: "text", text: "Rules.", cache_control: cache }]);
    const messages = body.messages as { content: Record<string, unknown>[] }[];
    expect(messages[0]?.content).toEqual([
      { type: "text", text: "Doc", cache_control: { type: "ephemeral", ttl: "1h" } },
      { type: "text", text: "Q?" },
    ]);
    expect(messages[1]?.content[0]?.cache_control).toEqual(cache);
    expect(toAnthropicBody({ model: "m", messages: [{ role: "system", content: "Plain." }, { role: "user", content: "x" }] }, context(), false).system).toBe("Plain.");
  });

  it("leaves out empty text, which Anthropic rejects", () => {
    const body = toAnthropicBody(
      {
        model: "m",
        messages: [
          { role: "user", content: "" },
          { role: "user", content: [{ type: "text", text: "" }, { type: "text", text: "Hi" }] },
        ],
      },
      context(),
      false,
    );
    expect(body.messages).toEqual([{ role: "user", content: [{ type: "text", text: "Hi" }] }]);
  });

  it("maps tool_choice and parallel_tool_calls", () => {
    const tools = [{ type: "function" as const, function: { name: "get_weather" } }];
    const base = { model: "m", messages: [{ role: "user" as const, content: "x" }], tools };
    expect(toAnthropicBody({ ...base, tool_choice: "required" }, context(), false).tool_choice).toEqual({ type: "any" });
    expect(toAnthropicBody({ ...base, tool_choice: { type: "function", function: { name: "get_weather" } } }, context(), false).tool_choice).toEqual({
      type: "tool",
      name: "get_weather",
    });
    expect(toAnthropicBody({ ...base, parallel_tool_calls: false }, context(), false).tool_choice).toEqual({ type: "auto", disable_parallel_tool_use: true });
    expect((toAnthropicBody(base, context(), false).tools as { input_schema: unknown }[])[0]?.input_schema).toEqual({ type: "object", properties: {} });
  });

  it("turns reasoning into a thinking budget below max_tokens and drops sampling changes it forbids", () => {
    const body = toAnthropicBody(
      { model: "m", messages: [{ role: "user", content: "x" }], max_tokens: 10_000, temperature: 0.2, reasoning: { effort: "high" } },
      context(),
      false,
    );
    expect(body.thinking).toEqual({ type: "enabled", budget_tokens: 9_999 });
    expect(body).not.toHaveProperty("temperature");
    const small = toAnthropicBody({ model: "m", messages: [{ role: "user", content: "x" }], max_tokens: 500, temperature: 1.7, reasoning: { effort: "low" } }, context(), false);
    expect(small).not.toHaveProperty("thinking");
    expect(small.temperature).toBe(1);
  });

  it("finds /v1/messages from either base URL form", () => {
    expect(messagesUrl("https://api.anthropic.com")).toBe("https://api.anthropic.com/v1/messages");
    expect(messagesUrl("https://api.anthropic.com/v1/")).toBe("https://api.anthropic.com/v1/messages");
  });
});

describe("Gemini translation", () => {
  it("names function responses after the call they answer and wraps non-JSON results", () => {
    const body = toGeminiBody(toolConversation, context());
    const contents = body.contents as { role: string; parts: Record<string, { name: string; response: unknown }>[] }[];
    expect(contents.map((c) => c.role)).toEqual(["user", "model", "user"]);
    const responses = contents[2]!.parts.filter((p) => p.functionResponse).map((p) => p.functionResponse);
    expect(responses).toEqual([
      { name: "get_weather", response: { sky: "sunny" } },
      { name: "get_time", response: { content: "14:00" } },
    ]);
    expect(body.systemInstruction).toEqual({ parts: [{ text: "Be brief." }] });
  });

  it("maps structured output, tool choice, schemas and thinking into Gemini's fields", () => {
    const body = toGeminiBody(
      {
        model: "m",
        messages: [{ role: "user", content: "x" }],
        tools: [{ type: "function", function: { name: "f", parameters: { type: "object", additionalProperties: false, properties: { a: { type: "string" } } } } }],
        tool_choice: "required",
        response_format: { type: "json_schema", json_schema: { name: "s", schema: { type: "object" } } },
        reasoning: { max_tokens: 2048 },
        top_k: 5,
      },
      context(),
    );
    expect(body.toolConfig).toEqual({ functionCallingConfig: { mode: "ANY" } });
    expect((body.tools as { functionDeclarations: { parameters: unknown }[] }[])[0]?.functionDeclarations[0]?.parameters).toEqual({
      type: "object",
      properties: { a: { type: "string" } },
    });
    expect(body.generationConfig).toEqual({
      topK: 5,
      responseMimeType: "application/json",
      responseJsonSchema: { type: "object" },
      thinkingConfig: { thinkingBudget: 2048, includeThoughts: true },
    });
  });

  it("reports a blocked prompt as content_filter and reads RetryInfo", () => {
    const response = fromGeminiResponse({ promptFeedback: { blockReason: "SAFETY" }, usageMetadata: { promptTokenCount: 8 } }, "m");
    expect(response.finishReason).toBe("content_filter");
    expect(response.nativeFinishReason).toBe("SAFETY");
    expect(response.usage.promptTokens).toBe(8);
    expect(
      geminiErrorDetails({ error: { code: 429, message: "quota", status: "RESOURCE_EXHAUSTED", details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "13s" }] } }),
    ).toEqual({ message: "quota", code: "RESOURCE_EXHAUSTED", retryAfterMs: 13_000 });
  });

  it("carries Gemini 3 thought signatures through the tool-call id and back", () => {
    const response = fromGeminiResponse(
      {
        candidates: [
          {
            content: {
              role: "model",
              parts: [
                { functionCall: { name: "a", args: { x: 1 } }, thoughtSignature: "c2lnbmVk+/=" },
                { functionCall: { name: "b", args: {} } },
              ],
            },
            finishReason: "STOP",
          },
        ],
      },
      "m",
    );
    expect(response.finishReason).toBe("tool_calls");
    const calls = response.message.tool_calls!;
    const replay = toGeminiBody(
      {
        model: "m",
        messages: [
          { role: "user", content: "go" },
          { role: "assistant", content: null, tool_calls: calls },
          { role: "tool", tool_call_id: calls[0]!.id, content: "1" },
          { role: "tool", tool_call_id: calls[1]!.id, content: "2" },
          { role: "assistant", content: null, tool_calls: [{ id: "call_from_another_model", type: "function", function: { name: "a", arguments: "{}" } }] },
        ],
      },
      context(),
    );
    const modelTurns = (replay.contents as { role: string; parts: Record<string, unknown>[] }[]).filter((c) => c.role === "model");
    expect(modelTurns[0]?.parts.map((p) => p.thoughtSignature)).toEqual(["c2lnbmVk+/=", undefined]);
    expect(modelTurns[1]?.parts[0]?.thoughtSignature).toBe("skip_thought_signature_validator");
  });

  it("builds method URLs from either base URL form", () => {
    expect(geminiUrl("https://generativelanguage.googleapis.com", "models/gemini-2.5-pro", true)).toBe(
      "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse",
    );
    expect(geminiUrl("https://example.com/v1beta/", "gemini-2.5-flash", false)).toBe("https://example.com/v1beta/models/gemini-2.5-flash:generateContent");
  });
});
