/**
 * Protocol-specific choices behind names, end users, prefills and response_format that the
 * shared conformance suite cannot reach: which Anthropic technique carries a JSON answer in
 * each situation, how a schema is made compilable, Gemini's JSON-with-tools limit, and
 * endpoints that do not list a parameter. Request builders are pure, so they are tested directly.
 */
import { describe, expect, it } from "vitest";
import { toAnthropicBody } from "../../src/providers/anthropic/request.js";
import { anthropicOutputSchema } from "../../src/providers/anthropic/output-schema.js";
import { toGeminiBody } from "../../src/providers/gemini/request.js";
import { toOpenAIBody } from "../../src/providers/openai-compatible/request.js";
import type { AdapterContext, ChatRequest, ToolDefinition } from "../../src/providers/spec.js";

const context = (supportedParameters?: string[]): AdapterContext => ({
  apiKey: "k",
  baseUrl: "http://upstream",
  timeouts: { connectMs: 1, firstByteMs: 1, idleMs: 1 },
  ...(supportedParameters ? { supportedParameters } : {}),
});

const ask = (extra: Partial<ChatRequest> = {}): ChatRequest => ({ model: "m", messages: [{ role: "user", content: "Give me JSON" }], ...extra });
const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false };
const bySchema: ChatRequest["response_format"] = { type: "json_schema", json_schema: { name: "city answer", description: "A city", schema, strict: true } };
const weather: ToolDefinition = { type: "function", function: { name: "get_weather", parameters: { type: "object", properties: {} } } };
const ANTHROPIC_FULL = ["response_format", "structured_outputs", "tools", "reasoning", "temperature", "max_tokens"];

describe("Anthropic response_format", () => {
  it("uses structured outputs for a schema when the endpoint lists them, alongside the client's tools and thinking", () => {
    const body = toAnthropicBody(ask({ response_format: bySchema, tools: [weather], reasoning: { effort: "low" } }), context(ANTHROPIC_FULL), false);
    expect(body.output_config).toEqual({ format: { type: "json_schema", schema } });
    expect((body.tools as { name: string }[]).map((t) => t.name)).toEqual(["get_weather"]);
    expect(body.thinking).toMatchObject({ type: "enabled" });
  });

  it("forces a tool carrying the schema when the endpoint takes response_format but not structured outputs", () => {
    const body = toAnthropicBody(ask({ response_format: bySchema }), context(["response_format", "max_tokens"]), false);
    expect(body.output_config).toBeUndefined();
    expect(body.tools).toEqual([{ name: "city_answer", description: "A city", input_schema: schema }]);
    expect(body.tool_choice).toEqual({ type: "tool", name: "city_answer" });
  });

  it("forces an object tool for json_object", () => {
    const body = toAnthropicBody(ask({ response_format: { type: "json_object" } }), context(ANTHROPIC_FULL), false);
    expect(body.tools).toEqual([{ name: "json_object", description: "Give the answer as a JSON object.", input_schema: { type: "object" } }]);
    expect(body.tool_choice).toEqual({ type: "tool", name: "json_object" });
  });

  it("falls back to an instruction when a tool cannot be forced (client tools, thinking)", () => {
    const withTools = toAnthropicBody(
      ask({ response_format: { type: "json_object" }, tools: [weather], messages: [{ role: "system", content: "Be terse." }, { role: "user", content: "Go" }] }),
      context(ANTHROPIC_FULL),
      false,
    );
    expect((withTools.tools as { name: string }[]).map((t) => t.name)).toEqual(["get_weather"]);
    expect(withTools.tool_choice).toBeUndefined();
    expect(withTools.system).toBe("Be terse.\n\nRespond with a single valid JSON object and nothing else.");
    const thinking = toAnthropicBody(ask({ response_format: { type: "json_object" }, reasoning: { effort: "low" } }), context(ANTHROPIC_FULL), false);
    expect(thinking.thinking).toMatchObject({ type: "enabled" });
    expect(thinking.tool_choice).toBeUndefined();
    expect(thinking.system).toContain("JSON object");
  });

  it("sends nothing for response_format to an endpoint that does not list it", () => {
    const body = toAnthropicBody(ask({ response_format: bySchema }), context(["max_tokens"]), false);
    expect(body).not.toHaveProperty("output_config");
    expect(body).not.toHaveProperty("tools");
    expect(body).not.toHaveProperty("system");
  });

  it("closes every object and moves unsupported constraints into descriptions, keeping property names intact", () => {
    const loose = {
      type: "object",
      description: "A reading",
      properties: {
        minimum: { type: "integer", minimum: 0, maximum: 10 },
        tags: { type: "array", items: { type: "object", properties: { label: { type: "string", maxLength: 20 } } }, minItems: 2 },
      },
    };
    expect(anthropicOutputSchema(loose)).toEqual({
      type: "object",
      description: "A reading",
      additionalProperties: false,
      properties: {
        minimum: { type: "integer", description: "Constraints: minimum: 0, maximum: 10" },
        tags: {
          type: "array",
          description: "Constraints: minItems: 2",
          items: { type: "object", additionalProperties: false, properties: { label: { type: "string", description: "Constraints: maxLength: 20" } } },
        },
      },
    });
    expect(loose.properties.minimum).toEqual({ type: "integer", minimum: 0, maximum: 10 });
  });
});

describe("Anthropic prefill and names", () => {
  const prefilled = (content: string): ChatRequest => ({
    model: "m",
    messages: [
      { role: "user", name: "alice", content: "Finish my sentence" },
      { role: "assistant", content },
    ],
    reasoning: { effort: "high" },
    max_tokens: 32_000,
  });

  it("sends the prefill as the last turn without trailing whitespace and without thinking, which cannot precede it", () => {
    const body = toAnthropicBody(prefilled("The sky is \n"), context(), false);
    const messages = body.messages as { role: string; content: { text: string }[] }[];
    expect(messages.map((m) => m.role)).toEqual(["user", "assistant"]);
    expect(messages[1]?.content).toEqual([{ type: "text", text: "The sky is" }]);
    expect(messages[0]?.content).toEqual([{ type: "text", text: "alice: Finish my sentence" }]);
    expect(body.thinking).toBeUndefined();
  });

  it("drops a whitespace-only trailing assistant turn instead of sending an empty prefill", () => {
    const body = toAnthropicBody(prefilled("  "), context(), false);
    expect((body.messages as { role: string }[]).map((m) => m.role)).toEqual(["user"]);
    expect(body.thinking).toMatchObject({ type: "enabled" });
  });

  it("prepends names on system and assistant turns too", () => {
    const body = toAnthropicBody(
      {
        model: "m",
        messages: [
          { role: "system", name: "moderator", content: "Keep it civil." },
          { role: "user", content: "Hi" },
          { role: "assistant", name: "bot", content: [{ type: "text", text: "Hello" }] },
          { role: "user", content: "Bye" },
        ],
      },
      context(),
      false,
    );
    expect(body.system).toBe("moderator: Keep it civil.");
    expect((body.messages as { content: { text: string }[] }[])[1]?.content[0]?.text).toBe("bot: Hello");
  });
});

describe("Gemini response_format and names", () => {
  it("sends the JSON type and schema, but not beside tools on Gemini 2.x, which rejects the pair", () => {
    const full = ["response_format", "structured_outputs", "tools"];
    const alone = toGeminiBody(ask({ model: "gemini-2.5-flash", response_format: bySchema }), context(full));
    expect(alone.generationConfig).toEqual({ responseMimeType: "application/json", responseJsonSchema: schema });
    const withTools = toGeminiBody(ask({ model: "gemini-2.5-flash", response_format: bySchema, tools: [weather] }), context(full));
    expect(withTools.generationConfig).toBeUndefined();
    expect(withTools.tools).toBeDefined();
    const gemini3 = toGeminiBody(ask({ model: "gemini-3-pro-preview", response_format: bySchema, tools: [weather] }), context(full));
    expect(gemini3.generationConfig).toEqual({ responseMimeType: "application/json", responseJsonSchema: schema });
  });

  it("sends only the JSON type when the endpoint does not list structured outputs", () => {
    const body = toGeminiBody(ask({ model: "gemini-2.5-flash", response_format: bySchema }), context(["response_format"]));
    expect(body.generationConfig).toEqual({ responseMimeType: "application/json" });
  });

  it("prepends a model turn's name and never sends the end user", () => {
    const body = toGeminiBody(
      { model: "gemini-2.5-flash", user: "alice", accountId: "acct", messages: [{ role: "user", content: "Hi" }, { role: "assistant", name: "bot", content: "Hello" }] },
      context(),
    );
    expect(body.contents).toEqual([
      { role: "user", parts: [{ text: "Hi" }] },
      { role: "model", parts: [{ text: "bot: Hello" }] },
    ]);
    expect(JSON.stringify(body)).not.toContain("alice");
  });
});

describe("OpenAI-compatible end user", () => {
  it("sends the hashed end user only to endpoints that list `user`", () => {
    const request = ask({ user: "alice", accountId: "acct" });
    expect(toOpenAIBody(request, context(["max_tokens"]), false)).not.toHaveProperty("user");
    expect(toOpenAIBody(request, context(["user"]), false).user).toMatch(/^[0-9a-f]{64}$/);
  });
});
