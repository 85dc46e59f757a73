/**
 * Anthropic's Messages API on farebox, driven by the official `@anthropic-ai/sdk`, unmodified,
 * against the running server, routed to fake upstreams of all three protocols (OpenAI-compatible,
 * Anthropic, Gemini): non-stream and stream answers, tools, thinking, images and PDFs,
 * countTokens, Anthropic's error envelope, and the same charge as chat to the nano-dollar.
 */
import Anthropic, { APIError } from "@anthropic-ai/sdk";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { messagesResponseSchema } from "../../src/formats/messages/response-schema.js";
import { messagesToChat } from "../../src/formats/messages/to-chat.js";
import { estimatePromptTokens } from "../../src/routing/estimate-tokens.js";
import { ALPHA_PRICE, startHarness, type Harness } from "../gateway/harness.js";
import { startFakeAnthropic, startFakeGemini, type FakeUpstream } from "../support/fake-upstreams/index.js";

type Json = Record<string, unknown>;
const PNG_BASE64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
const PDF_BASE64 = Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n").toString("base64");
const SIGNATURE = "EqQBCgIYAhIM"; // what the fake Anthropic upstream signs its thinking with
const CLAUDE_PARAMETERS = ["tools", "tool_choice", "reasoning", "max_tokens", "temperature", "top_p", "top_k", "stop", "user", "response_format", "structured_outputs"];

let claude: FakeUpstream;
let gemini: FakeUpstream;
let h: Harness;
let client: Anthropic;

beforeAll(async () => {
  [claude, gemini] = await Promise.all([startFakeAnthropic(), startFakeGemini()]);
  h = await startHarness({
    keepAliveMs: 50,
    extraProviders: {
      claude: { name: "Claude", protocol: "anthropic", base_url: claude.url, api_key: "anthropic-key", headers: {} },
      gem: { name: "Gem", protocol: "gemini", base_url: gemini.url, api_key: "gemini-key", headers: {} },
    },
    extraModels: [
      { id: "test/claude", context_length: 200_000, max_completion_tokens: 64_000, supported_parameters: CLAUDE_PARAMETERS, endpoints: [{ provider: "claude", model: "claude-sonnet-4-5", pricing: ALPHA_PRICE }] },
      { id: "test/gemini", context_length: 200_000, max_completion_tokens: 64_000, supported_parameters: CLAUDE_PARAMETERS, endpoints: [{ provider: "gem", model: "gemini-2.5-pro", pricing: ALPHA_PRICE }] },
    ],
  });
  client = new Anthropic({ baseURL: `${h.url}/api`, apiKey: h.key, maxRetries: 0 });
});
afterAll(async () => {
  await h?.close();
  await Promise.all([claude?.close(), gemini?.close()]);
});
beforeEach(() => {
  for (const fake of [h.alpha, h.beta, claude, gemini]) fake.setScript({});
});
afterEach(async () => {
  expect(await h.settledAudit()).toEqual({ ok: true, problems: [] });
  expect(await h.openHolds()).toBe(0);
});

/** The three protocols: a model served by each, and the fake upstream behind it. */
const PROTOCOLS = (): [string, string, FakeUpstream][] => [
  ["openai-compatible", "test/chat", h.alpha],
  ["anthropic", "test/claude", claude],
  ["gemini", "test/gemini", gemini],
];
const lastBody = (fake: FakeUpstream) => fake.lastRequest().body as Json;

describe("messages.create and messages.stream on every protocol", () => {
  it("answers non-stream with Anthropic's Message, its usage split into Anthropic's classes", async () => {
    for (const [protocol, model, fake] of PROTOCOLS()) {
      fake.setScript({ text: "Hi there", usage: { prompt: 30, completion: 7, cached: 10 } });
      const { data, response } = await client.messages.create({ model, max_tokens: 100, messages: [{ role: "user", content: "Hello" }] }).withResponse();
      expect(messagesResponseSchema.parse(data), protocol).toBeTruthy();
      expect(data.content, protocol).toEqual([{ type: "text", text: "Hi there", citations: null }]);
      expect(data.stop_reason, protocol).toBe("end_turn");
      expect(data.model, protocol).toBe(model);
      expect(data.usage, protocol).toMatchObject({ input_tokens: 20, cache_read_input_tokens: 10, output_tokens: 7, cost: expect.any(Number) });
      expect(response.headers.get("x-generation-id"), protocol).toBe(data.id);
      expect(data.id).toMatch(/^gen-/);
    }
  });

  it("streams Anthropic's event sequence, which the SDK assembles into the same Message", async () => {
    for (const [protocol, model, fake] of PROTOCOLS()) {
      fake.setScript({ text: "Streaming works fine", usage: { prompt: 21, completion: 4 } });
      const stream = client.messages.stream({ model, max_tokens: 100, messages: [{ role: "user", content: "Hello" }] });
      const events: string[] = [];
      stream.on("streamEvent", (event) => events.push(event.type));
      const message = await stream.finalMessage();
      expect(message.content, protocol).toEqual([{ type: "text", text: "Streaming works fine", citations: null }]);
      expect(message.stop_reason, protocol).toBe("end_turn");
      expect(message.usage, protocol).toMatchObject({ input_tokens: 21, output_tokens: 4 });
      expect(events[0], protocol).toBe("message_start");
      expect(events.slice(1, 2), protocol).toEqual(["content_block_start"]);
      expect(events.slice(-3), protocol).toEqual(["content_block_stop", "message_delta", "message_stop"]);
      expect(events.filter((type) => type === "content_block_delta").length, protocol).toBeGreaterThan(1);
      expect(lastBody(fake), protocol).toBeTruthy();
    }
  });

  it("maps stop reasons: a length finish is max_tokens, a tool call is tool_use", async () => {
    h.alpha.setScript({ text: "cut", finish: "length" });
    const cut = await client.messages.create({ model: "test/chat", max_tokens: 5, messages: [{ role: "user", content: "Long story" }] });
    expect(cut.stop_reason).toBe("max_tokens");
    h.alpha.setScript({ toolCalls: [{ id: "call_1", name: "lookup", arguments: { q: "x" } }] });
    const tool = await client.messages.create({
      model: "test/chat",
      max_tokens: 50,
      tools: [{ name: "lookup", input_schema: { type: "object", properties: { q: { type: "string" } } } }],
      messages: [{ role: "user", content: "Look it up" }],
    });
    expect(tool.stop_reason).toBe("tool_use");
  });

  it("answers the SDK's beta surface (?beta=true, anthropic-beta), as Claude Code calls it", async () => {
    h.alpha.setScript({ text: "beta ok" });
    const message = await client.beta.messages.create({ model: "test/chat", max_tokens: 20, betas: ["interleaved-thinking-2025-05-14"], messages: [{ role: "user", content: "Hi" }] });
    expect(message.content).toEqual([{ type: "text", text: "beta ok", citations: null }]);
    const counted = await client.beta.messages.countTokens({ model: "test/chat", betas: ["token-counting-2024-11-01"], messages: [{ role: "user", content: "Hi" }] });
    expect(counted.input_tokens).toBeGreaterThan(0);
  });

  it("takes the key as Authorization: Bearer too, and at the /v1 base URL", async () => {
    const bearer = new Anthropic({ baseURL: h.url, authToken: h.key, apiKey: null, maxRetries: 0 });
    const message = await bearer.messages.create({ model: "test/chat", max_tokens: 20, messages: [{ role: "user", content: "Hi" }] });
    expect(message.content[0]).toMatchObject({ type: "text" });
  });
});

describe("tools", () => {
  const weather = { name: "get_weather", description: "Weather of a city", input_schema: { type: "object" as const, properties: { city: { type: "string" } }, required: ["city"] } };

  it("a tool call comes back as tool_use (stream and non-stream) and its tool_result reaches each upstream in order", async () => {
    for (const [protocol, model, fake] of PROTOCOLS()) {
      fake.setScript({ toolCalls: [{ id: "toolu_01", name: "get_weather", arguments: { city: "Paris" } }] });
      const request = { model, max_tokens: 200, tools: [weather], tool_choice: { type: "auto" as const }, messages: [{ role: "user" as const, content: "Weather in Paris?" }] };
      const whole = await client.messages.create(request);
      const streamed = await client.messages.stream(request).finalMessage();
      for (const answer of [whole, streamed]) {
        expect(answer.stop_reason, protocol).toBe("tool_use");
        const use = answer.content.find((block) => block.type === "tool_use");
        expect(use, protocol).toMatchObject({ type: "tool_use", name: "get_weather", input: { city: "Paris" } });
      }
      const use = whole.content.find((block) => block.type === "tool_use")!;
      const id = (use as { id: string }).id;
      fake.setScript({ text: "It is sunny." });
      const next = await client.messages.create({
        ...request,
        messages: [
          ...request.messages,
          { role: "assistant", content: whole.content as Anthropic.ContentBlockParam[] },
          { role: "user", content: [{ type: "tool_result", tool_use_id: id, content: "sunny, 21°C" }, { type: "text", text: "And tomorrow?" }] },
        ],
      });
      expect(next.content, protocol).toEqual([{ type: "text", text: "It is sunny.", citations: null }]);
      const sent = JSON.stringify(lastBody(fake));
      expect(sent, protocol).toContain("sunny, 21°C");
      expect(sent.indexOf("sunny, 21°C"), protocol).toBeLessThan(sent.indexOf("And tomorrow?"));
    }
  });

  it("an OpenAI-compatible upstream gets function tools (a cache marker only where the endpoint takes one), the forced tool_choice and the tool message, without Anthropic's own fields", async () => {
    h.alpha.setScript({ text: "ok" });
    await client.messages.create({
      model: "test/chat",
      max_tokens: 50,
      tools: [{ ...weather, cache_control: { type: "ephemeral" } }],
      tool_choice: { type: "tool", name: "get_weather", disable_parallel_tool_use: true },
      messages: [
        { role: "user", content: "Weather?" },
        { role: "assistant", content: [{ type: "tool_use", id: "call_9", name: "get_weather", input: { city: "Oslo" }, cache_control: { type: "ephemeral" } }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "call_9", content: [{ type: "text", text: "snow" }], is_error: true }] },
      ],
    });
    const body = lastBody(h.alpha);
    expect(body.tools).toEqual([{ type: "function", function: { name: "get_weather", description: "Weather of a city", parameters: weather.input_schema } }]);
    expect(body.tool_choice).toEqual({ type: "function", function: { name: "get_weather" } });
    expect(body.messages).toEqual([
      { role: "user", content: "Weather?" },
      expect.objectContaining({ role: "assistant", tool_calls: [{ id: "call_9", type: "function", function: { name: "get_weather", arguments: '{"city":"Oslo"}' } }] }),
      { role: "tool", tool_call_id: "call_9", content: [{ type: "text", text: "snow" }] },
    ]);
  });

  it("chat's is_error and tool-call cache_control (farebox extensions) reach Claude as Anthropic's fields, and no other protocol", async () => {
    const openai = h.client();
    const ephemeral = { type: "ephemeral" as const };
    for (const [protocol, model, fake] of PROTOCOLS()) {
      fake.setScript({ text: "It failed." });
      const messages = [
        { role: "user", content: "Weather in Oslo?" },
        { role: "assistant", content: null, tool_calls: [{ id: "call_7", type: "function", function: { name: "get_weather", arguments: '{"city":"Oslo"}' }, cache_control: ephemeral }] },
        { role: "tool", tool_call_id: "call_7", name: "get_weather", content: "station offline", is_error: true },
      ];
      const tools = [{ type: "function" as const, function: { name: "get_weather", parameters: weather.input_schema } }];
      await openai.chat.completions.create({ model, max_tokens: 50, tools, messages } as unknown as Parameters<typeof openai.chat.completions.create>[0]);
      const sent = lastBody(fake);
      if (protocol === "anthropic") {
        expect(sent.messages).toEqual([
          { role: "user", content: [{ type: "text", text: "Weather in Oslo?" }] },
          { role: "assistant", content: [{ type: "tool_use", id: "call_7", name: "get_weather", input: { city: "Oslo" }, cache_control: ephemeral }] },
          { role: "user", content: [{ type: "tool_result", tool_use_id: "call_7", content: "station offline", is_error: true }] },
        ]);
      } else {
        const wire = JSON.stringify(sent);
        expect(wire, protocol).toContain("station offline");
        expect(wire, protocol).not.toContain("is_error");
        expect(wire, protocol).not.toContain("cache_control");
      }
    }
  });
});

describe("a Claude Code-style session (ANTHROPIC_BASE_URL at farebox) reaches an Anthropic upstream intact", () => {
  it("keeps the thinking signature and the cache markers, and tool results round-trip, turn after turn", async () => {
    const code = new Anthropic({ baseURL: h.url, apiKey: h.key, maxRetries: 0, defaultHeaders: { "anthropic-beta": "interleaved-thinking-2025-05-14" } });
    const ephemeral = { type: "ephemeral" as const };
    const system: Anthropic.TextBlockParam[] = [
      { type: "text", text: "You are Claude Code, Anthropic's official CLI for Claude." },
      { type: "text", text: "Project instructions: be brief.", cache_control: ephemeral },
    ];
    const tools: Anthropic.Tool[] = [
      { name: "Read", description: "Reads a file", input_schema: { type: "object", properties: { file_path: { type: "string" } }, required: ["file_path"] }, cache_control: ephemeral },
    ];
    const base = {
      model: "test/claude",
      max_tokens: 8192,
      system,
      tools,
      thinking: { type: "enabled" as const, budget_tokens: 2048 },
      metadata: { user_id: "user_abc" },
      stop_sequences: ["</done>"],
    };
    const history: Anthropic.MessageParam[] = [{ role: "user", content: [{ type: "text", text: "What does README.md say?", cache_control: ephemeral }] }];

    claude.setScript({
      reasoning: "I should read the file.",
      toolCalls: [
        { id: "toolu_A1", name: "Read", arguments: { file_path: "README.md" } },
        { id: "toolu_A2", name: "Read", arguments: { file_path: "logo.png" } },
      ],
    });
    const first = await code.messages.stream({ ...base, messages: history }).finalMessage();
    expect(first.stop_reason).toBe("tool_use");
    expect(first.content).toEqual([
      { type: "thinking", thinking: "I should read the file.", signature: SIGNATURE },
      { type: "tool_use", id: "toolu_A1", caller: { type: "direct" }, name: "Read", input: { file_path: "README.md" } },
      { type: "tool_use", id: "toolu_A2", caller: { type: "direct" }, name: "Read", input: { file_path: "logo.png" } },
    ]);
    const firstSent = lastBody(claude);
    expect(firstSent.system).toEqual([
      { type: "text", text: "You are Claude Code, Anthropic's official CLI for Claude." },
      { type: "text", text: "Project instructions: be brief.", cache_control: ephemeral },
    ]);
    expect(firstSent.thinking).toEqual({ type: "enabled", budget_tokens: 2048 });
    expect(firstSent.tools).toEqual(tools);
    expect(firstSent.stop_sequences).toEqual(["</done>"]);
    expect(firstSent.messages).toEqual([{ role: "user", content: [{ type: "text", text: "What does README.md say?", cache_control: ephemeral }] }]);
    expect((firstSent.metadata as { user_id?: string }).user_id).toEqual(expect.any(String));

    // Claude Code marks the conversation's last block for caching, here the last tool_use
    const answered = first.content.map((block, index) => (index === first.content.length - 1 ? { ...block, cache_control: ephemeral } : block));
    history.push({ role: "assistant", content: answered as Anthropic.ContentBlockParam[] });
    const logo = { type: "image" as const, source: { type: "base64" as const, media_type: "image/png" as const, data: PNG_BASE64 } };
    history.push({
      role: "user",
      content: [
        { type: "tool_result", tool_use_id: "toolu_A1", content: "# farebox\nA gateway.", cache_control: ephemeral },
        { type: "tool_result", tool_use_id: "toolu_A2", content: [{ type: "text", text: "logo.png" }, logo], is_error: true },
      ],
    });
    claude.setScript({ reasoning: "Now I can answer.", text: "It describes farebox, a gateway.", usage: { prompt: 900, completion: 40, cached: 800, cacheWrite: 60 } });
    const second = await code.messages.create({ ...base, messages: history });
    const secondSent = lastBody(claude);
    expect(secondSent.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "What does README.md say?", cache_control: ephemeral }] },
      {
        role: "assistant",
        content: [
          { type: "thinking", thinking: "I should read the file.", signature: SIGNATURE },
          { type: "tool_use", id: "toolu_A1", name: "Read", input: { file_path: "README.md" } },
          { type: "tool_use", id: "toolu_A2", name: "Read", input: { file_path: "logo.png" }, cache_control: ephemeral },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "toolu_A1", content: "# farebox\nA gateway.", cache_control: ephemeral },
          { type: "tool_result", tool_use_id: "toolu_A2", content: "logo.png", is_error: true },
          logo,
        ],
      },
    ]);
    expect(secondSent.system).toEqual(firstSent.system);
    expect(second.content).toEqual([
      { type: "thinking", thinking: "Now I can answer.", signature: SIGNATURE },
      { type: "text", text: "It describes farebox, a gateway.", citations: null },
    ]);
    expect(second.usage).toMatchObject({ input_tokens: 40, cache_read_input_tokens: 800, cache_creation_input_tokens: 60, output_tokens: 40 });
  });

  it("passes redacted thinking back as redacted_thinking", async () => {
    claude.setScript({ text: "fine" });
    await client.messages.create({
      model: "test/claude",
      max_tokens: 4096,
      thinking: { type: "enabled", budget_tokens: 1024 },
      messages: [
        { role: "user", content: "Hi" },
        { role: "assistant", content: [{ type: "redacted_thinking", data: "opaque-blob" }, { type: "text", text: "Hello." }] },
        { role: "user", content: "Go on" },
      ],
    });
    expect((lastBody(claude).messages as Json[])[1]).toEqual({ role: "assistant", content: [{ type: "redacted_thinking", data: "opaque-blob" }, { type: "text", text: "Hello." }] });
  });
});

describe("structured outputs", () => {
  it("output_config.format reaches Claude as its structured output and comes back as the text", async () => {
    claude.setScript({ text: '{"city":"Paris"}' });
    const schema = { type: "object" as const, properties: { city: { type: "string" } }, required: ["city"] };
    const message = await client.messages.create({
      model: "test/claude",
      max_tokens: 100,
      output_config: { format: { type: "json_schema", schema } },
      messages: [{ role: "user", content: "Capital of France?" }],
    } as Anthropic.MessageCreateParamsNonStreaming);
    expect(message.content).toEqual([{ type: "text", text: '{"city":"Paris"}', citations: null }]);
    expect(lastBody(claude).output_config).toMatchObject({ format: { type: "json_schema", schema: { type: "object", properties: { city: { type: "string" } } } } });
  });
});

describe("images and PDFs", () => {
  const content: Anthropic.ContentBlockParam[] = [
    { type: "image", source: { type: "base64", media_type: "image/png", data: PNG_BASE64 } },
    { type: "document", source: { type: "base64", media_type: "application/pdf", data: PDF_BASE64 }, title: "spec.pdf" },
    { type: "text", text: "Describe both." },
  ];

  it("reach an Anthropic upstream as the same image and document blocks", async () => {
    await client.messages.create({ model: "test/claude", max_tokens: 50, messages: [{ role: "user", content }] });
    expect((lastBody(claude).messages as Json[])[0]).toEqual({ role: "user", content });
  });

  it("reach an OpenAI-compatible upstream as an image_url and a file part", async () => {
    await client.messages.create({ model: "test/chat", max_tokens: 50, messages: [{ role: "user", content }] });
    expect((lastBody(h.alpha).messages as Json[])[0]).toEqual({
      role: "user",
      content: [
        { type: "image_url", image_url: { url: `data:image/png;base64,${PNG_BASE64}` } },
        { type: "file", file: { filename: "spec.pdf", file_data: `data:application/pdf;base64,${PDF_BASE64}` } },
        { type: "text", text: "Describe both." },
      ],
    });
  });
});

describe("countTokens", () => {
  it("answers the estimate the quote sizes its hold with", async () => {
    const request = { model: "test/claude", system: "Be brief.", messages: [{ role: "user" as const, content: "Count these words, please." }] };
    const counted = await client.messages.countTokens(request);
    const chat = messagesToChat(request);
    expect(counted.input_tokens).toBe(estimatePromptTokens(chat.messages as unknown[], chat.tools));
    const longer = await client.messages.countTokens({ ...request, messages: [{ role: "user", content: "word ".repeat(400) }] });
    expect(longer.input_tokens).toBeGreaterThan(counted.input_tokens + 400);
  });
});

describe("billing is the same whatever the format", () => {
  it("charges the same request through chat and through messages the same nano-dollars, on each protocol", async () => {
    const openai = h.client();
    for (const [protocol, model, fake] of PROTOCOLS()) {
      fake.setScript({ text: "Same answer", usage: { prompt: 1_234, completion: 567 } });
      const before = await h.balanceNano();
      const viaChat = await openai.chat.completions.create({ model, max_tokens: 600, messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Price me" }] });
      await h.chat.gateway.drain();
      const middle = await h.balanceNano();
      const viaMessages = await client.messages.create({ model, max_tokens: 600, system: "Be brief.", messages: [{ role: "user", content: "Price me" }] });
      await h.chat.gateway.drain();
      const after = await h.balanceNano();
      const chatCharge = before - middle;
      expect(chatCharge, protocol).toBeGreaterThan(0n);
      expect(middle - after, protocol).toBe(chatCharge);
      const [chatRecord, messagesRecord] = await Promise.all([h.chat.generations.find(viaChat.id, h.accountId), h.chat.generations.find(viaMessages.id, h.accountId)]);
      expect(messagesRecord, protocol).toMatchObject({ totalNano: chatRecord!.totalNano, feeNano: chatRecord!.feeNano, promptTokens: 1_234, completionTokens: 567, model, streamed: false });
    }
  });

  it("a streamed messages request is charged as the chat stream is", async () => {
    h.alpha.setScript({ text: "Streamed", usage: { prompt: 77, completion: 13 } });
    const before = await h.balanceNano();
    const chatStream = await h.client().chat.completions.create({ model: "test/chat", max_tokens: 50, stream: true, messages: [{ role: "user", content: "x" }] });
    for await (const _chunk of chatStream) void _chunk;
    await h.chat.gateway.drain();
    const middle = await h.balanceNano();
    const message = await client.messages.stream({ model: "test/chat", max_tokens: 50, messages: [{ role: "user", content: "x" }] }).finalMessage();
    await h.chat.gateway.drain();
    expect(middle - (await h.balanceNano())).toBe(before - middle);
    expect(await h.chat.generations.find(message.id, h.accountId)).toMatchObject({ streamed: true, promptTokens: 77, completionTokens: 13 });
  });

  it("falls back to the next endpoint before the first byte, as chat does", async () => {
    h.alpha.setScript({ error: { status: 500, message: "boom" } });
    h.beta.setScript({ text: "From beta" });
    const message = await client.messages.create({ model: "test/chat", max_tokens: 20, messages: [{ role: "user", content: "Hi" }] });
    expect(message.content).toEqual([{ type: "text", text: "From beta", citations: null }]);
    await h.chat.gateway.drain();
    expect(await h.chat.generations.find(message.id, h.accountId)).toMatchObject({ provider: "beta" });
    const streamed = await client.messages.stream({ model: "test/chat", max_tokens: 20, messages: [{ role: "user", content: "Hi" }] }).finalMessage();
    expect(streamed.content).toEqual([{ type: "text", text: "From beta", citations: null }]);
  });
});

describe("errors in Anthropic's envelope", () => {
  const post = (body: unknown, headers: Record<string, string> = { "x-api-key": h.key }) =>
    fetch(`${h.url}/api/v1/messages`, { method: "POST", headers: { "content-type": "application/json", "anthropic-version": "2023-06-01", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) });

  it("refuses bad input with a 400 naming the field", async () => {
    const cases: [unknown, RegExp][] = [
      [{ model: "test/chat", max_tokens: 10 }, /messages/],
      ["{not json", /JSON/],
      [{ model: "test/chat", max_tokens: 10, messages: [{ role: "user", content: [{ type: "server_tool_use", id: "srvtoolu_1", name: "web_search", input: {} }] }] }, /server_tool_use.*cannot be translated/],
      [{ model: "test/chat", max_tokens: 10, tools: [{ type: "web_search_20250305", name: "web_search" }], messages: [{ role: "user", content: "x" }] }, /server tools/],
      [{ model: "test/chat", max_tokens: 10, messages: [{ role: "user", content: [{ type: "tool_use", id: "t", name: "n", input: {} }] }] }, /assistant turn/],
      [{ model: "test/chat", max_tokens: -1, messages: [{ role: "user", content: "x" }] }, /max_tokens/],
    ];
    for (const [body, message] of cases) {
      const response = await post(body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      const error = (await response.json()) as { type: string; error: { type: string; message: string } };
      expect(error.type).toBe("error");
      expect(error.error.type).toBe("invalid_request_error");
      expect(error.error.message).toMatch(message);
    }
  });

  it("count_tokens refuses bad input in the same envelope", async () => {
    const response = await fetch(`${h.url}/v1/messages/count_tokens`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": h.key },
      body: JSON.stringify({ model: "test/chat", messages: [{ role: "user", content: [{ type: "image", source: { type: "file", file_id: "file_1" } }] }] }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ type: "error", error: { type: "invalid_request_error", message: expect.stringMatching(/image source of type "file"/) }, request_id: null });
  });

  it("answers a missing or wrong key with 401 authentication_error, through the SDK too", async () => {
    const missing = await post({ model: "test/chat", max_tokens: 10, messages: [{ role: "user", content: "x" }] }, {});
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ type: "error", error: { type: "authentication_error" } });
    const wrong = new Anthropic({ baseURL: `${h.url}/api`, apiKey: "sk-or-v1-wrong", maxRetries: 0 });
    const failure = await wrong.messages.create({ model: "test/chat", max_tokens: 10, messages: [{ role: "user", content: "x" }] }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Anthropic.AuthenticationError);
  });

  it("an unknown model is 404 not_found_error; chat keeps OpenRouter's envelope", async () => {
    const response = await post({ model: "nobody/nothing", max_tokens: 10, messages: [{ role: "user", content: "x" }] });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ type: "error", error: { type: "not_found_error" }, request_id: expect.stringMatching(/^gen-/) });
    const chat = await fetch(`${h.url}/api/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${h.key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "nobody/nothing", messages: [{ role: "user", content: "x" }] }),
    });
    expect(chat.status).toBe(404);
    expect(await chat.json()).toMatchObject({ error: { code: 404 } });
  });

  it("a slow upstream gets ping events while waiting; a failure after them is an error event, not a status", async () => {
    const streamBody = JSON.stringify({ model: "test/chat", max_tokens: 20, stream: true, messages: [{ role: "user", content: "x" }] });
    // both endpoints: earlier failures may have moved either one first
    h.alpha.setScript({ text: "late but fine", firstByteDelayMs: 400 });
    h.beta.setScript({ text: "late but fine", firstByteDelayMs: 400 });
    const slow = await post(streamBody);
    expect(slow.status).toBe(200);
    const events = (await slow.text()).split("\n\n").filter(Boolean).map((frame) => frame.split("\n")[0]);
    expect(events[0]).toBe("event: ping");
    expect(events.indexOf("event: message_start")).toBeGreaterThan(0);
    expect(events.at(-1)).toBe("event: message_stop");
    const refused = { error: { status: 400, message: "Your prompt was refused upstream" }, firstByteDelayMs: 400 };
    h.alpha.setScript(refused);
    h.beta.setScript(refused);
    const failed = await post(streamBody);
    expect(failed.status).toBe(200);
    const frames = (await failed.text()).split("\n\n").filter(Boolean);
    expect(frames[0]).toMatch(/^event: ping/);
    const last = frames.at(-1)!.split("\n");
    expect(last[0]).toBe("event: error");
    expect(JSON.parse(last[1]!.slice("data: ".length))).toMatchObject({ type: "error", error: { type: "invalid_request_error", message: expect.stringContaining("refused") } });
    const sdkFailure = await client.messages.stream({ model: "test/chat", max_tokens: 20, messages: [{ role: "user", content: "x" }] }).finalMessage().catch((error: unknown) => error);
    expect(sdkFailure).toBeInstanceOf(APIError);
  });

  it("an upstream failure mid-stream is an error event the SDK throws", async () => {
    h.alpha.setScript({ text: "one two three four five six", streamErrorAfter: 3 });
    h.beta.setScript({ text: "one two three four five six", streamErrorAfter: 3 });
    const stream = client.messages.stream({ model: "test/chat", max_tokens: 50, messages: [{ role: "user", content: "x" }] });
    const failure = await stream.finalMessage().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(APIError);
  });
});

describe("402 like chat", () => {
  it("an account without balance gets 402 billing_error on messages where chat answers 402", async () => {
    const broke = await startHarness({ balanceUsd: "0" });
    try {
      const sdk = new Anthropic({ baseURL: `${broke.url}/api`, apiKey: broke.key, maxRetries: 0 });
      const failure = await sdk.messages.create({ model: "test/chat", max_tokens: 10, messages: [{ role: "user", content: "x" }] }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(APIError);
      expect((failure as APIError).status).toBe(402);
      expect((failure as APIError).error).toMatchObject({ type: "error", error: { type: "billing_error", message: expect.any(String) } });
      const chat = await broke.client().chat.completions.create({ model: "test/chat", max_tokens: 10, messages: [{ role: "user", content: "x" }] }).catch((error: unknown) => error);
      expect((chat as { status: number }).status).toBe(402);
      expect(broke.alpha.requests).toHaveLength(0);
    } finally {
      await broke.close();
    }
  });
});
