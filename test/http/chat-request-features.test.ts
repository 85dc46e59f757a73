/**
 * Request features end to end: the `openai` SDK against the real server, whose catalog points at
 * fake OpenAI and Anthropic upstreams that record what they received. Prompt caching (breakpoints
 * reach Claude, cache reads are priced from the catalog, the generation shows cache_discount, a
 * conversation stays on its caching endpoint), signed reasoning over a tool-calling turn,
 * reasoning.exclude, documents routed to endpoints that read them, logprobs and OpenAI's extra
 * fields, and a 400 naming an OpenRouter-only preference farebox cannot honour.
 */
import OpenAI from "openai";
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionCreateParamsNonStreaming, ChatCompletionCreateParamsStreaming } from "openai/resources/chat/completions";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startFakeAnthropic, type FakeUpstream } from "../support/fake-upstreams/index.js";
import { ALPHA_PRICE, startHarness, type Harness } from "../gateway/harness.js";

type Json = Record<string, unknown>;
const PDF = "data:application/pdf;base64,JVBERi0xLjQKJcfsj6IKMSAwIG9iago8PC9UeXBlL0NhdGFsb2c+PgplbmRvYmoK";

/** Claude Sonnet's list prices (USD per token) on one endpoint, and dearer ones on another. */
const CLAUDE_A = { prompt: "0.000003", completion: "0.000015", input_cache_read: "0.0000003", input_cache_write: "0.00000375" };
const CLAUDE_B = { prompt: "0.000004", completion: "0.00002", input_cache_read: "0.0000004", input_cache_write: "0.000005" };
const CLAUDE_PARAMETERS = ["tools", "tool_choice", "max_tokens", "temperature", "reasoning", "service_tier"];

let h: Harness;
let openai: OpenAI;
let claudeA: FakeUpstream;
let claudeB: FakeUpstream;

beforeAll(async () => {
  [claudeA, claudeB] = await Promise.all([startFakeAnthropic(), startFakeAnthropic()]);
  const anthropicProvider = (name: string, url: string) => ({ name, protocol: "anthropic" as const, base_url: url, api_key: `${name}-key`, headers: {} });
  h = await startHarness({
    extraProviders: { "claude-a": anthropicProvider("ClaudeA", claudeA.url), "claude-b": anthropicProvider("ClaudeB", claudeB.url) },
    extraModels: [
      {
        id: "test/claude",
        context_length: 200_000,
        max_completion_tokens: 8_000,
        input_modalities: ["text", "image", "file"],
        supported_parameters: CLAUDE_PARAMETERS,
        endpoints: [
          { provider: "claude-a", model: "claude-sonnet-4-5", pricing: CLAUDE_A },
          { provider: "claude-b", model: "claude-sonnet-4-5", pricing: CLAUDE_B },
        ],
      },
      {
        id: "test/docs",
        context_length: 200_000,
        max_completion_tokens: 8_000,
        supported_parameters: CLAUDE_PARAMETERS,
        endpoints: [
          // the cheapest endpoint reads text only; only Claude reads the PDF
          { provider: "alpha", model: "alpha-docs", pricing: ALPHA_PRICE, input_modalities: ["text"] },
          { provider: "claude-a", model: "claude-sonnet-4-5", pricing: CLAUDE_A, input_modalities: ["text", "image", "file"] },
        ],
      },
      {
        id: "test/extras",
        context_length: 100_000,
        max_completion_tokens: 1_000,
        supported_parameters: ["max_tokens", "logprobs", "top_logprobs", "prediction", "service_tier", "verbosity"],
        endpoints: [{ provider: "alpha", model: "alpha-extras", pricing: ALPHA_PRICE }],
      },
    ],
  });
  openai = h.client();
});
afterAll(async () => {
  await h.close();
  await Promise.all([claudeA.close(), claudeB.close()]);
});
afterEach(async () => {
  expect(await h.settledAudit()).toEqual({ ok: true, problems: [] });
  expect(await h.openHolds()).toBe(0);
});

const chat = (body: Json, headers: Record<string, string> = {}) =>
  openai.chat.completions.create(body as unknown as ChatCompletionCreateParamsNonStreaming, { headers }) as unknown as Promise<ChatCompletion & Json>;
const streamChat = async (body: Json): Promise<(ChatCompletionChunk & Json)[]> => {
  const stream = await openai.chat.completions.create({ ...body, stream: true } as unknown as ChatCompletionCreateParamsStreaming);
  const chunks: (ChatCompletionChunk & Json)[] = [];
  for await (const chunk of stream) chunks.push(chunk as ChatCompletionChunk & Json);
  return chunks;
};
const generation = async (id: string): Promise<Json> => {
  await h.chat.gateway.drain();
  const response = await fetch(`${h.url}/api/v1/generation?id=${id}`, { headers: { authorization: `Bearer ${h.key}` } });
  return ((await response.json()) as { data: Json }).data;
};
const sent = (fake: FakeUpstream): Json => fake.lastRequest().body as Json;

describe("prompt caching", () => {
  it("breakpoints reach Claude, cache reads are billed at the catalog's cache price, and the generation shows cache_discount", async () => {
    claudeA.setScript({ text: "Cached answer.", usage: { prompt: 10_000, completion: 100, cached: 9_000 } });
    const before = await h.balanceNano();
    const data = await chat({
      model: "test/claude",
      max_tokens: 1_000,
      messages: [
        { role: "system", content: [{ type: "text", text: "A long manual.", cache_control: { type: "ephemeral", ttl: "1h" } }] },
        { role: "user", content: "What does chapter 2 say?" },
      ],
      cache_control: { type: "ephemeral" },
    });
    expect(data.choices[0]!.message.content).toBe("Cached answer.");
    expect(sent(claudeA).system).toEqual([{ type: "text", text: "A long manual.", cache_control: { type: "ephemeral", ttl: "1h" } }]);
    // top-level cache_control: automatic caching marks the last block
    expect(sent(claudeA).messages).toEqual([{ role: "user", content: [{ type: "text", text: "What does chapter 2 say?", cache_control: { type: "ephemeral" } }] }]);
    expect(data.usage).toMatchObject({ prompt_tokens: 10_000, prompt_tokens_details: { cached_tokens: 9_000 } });
    // 1,000 fresh × $3/M + 9,000 cached × $0.30/M + 100 × $15/M = 7,200,000 nano; + 5% = 7,560,000
    await h.chat.gateway.drain();
    expect(before - (await h.balanceNano())).toBe(7_560_000n);
    expect((data.usage as unknown as Json).cost).toBe(0.00756);
    const record = await generation(data.id);
    // 9,000 tokens at $3/M instead of $0.30/M
    expect(record).toMatchObject({ native_tokens_cached: 9_000, cache_discount: 0.0243, provider_name: "ClaudeA" });
  });

  it("a conversation returns to the endpoint that cached it (session_id, x-session-id or its opening); others load-balance", async () => {
    claudeA.setScript({ text: "from A" });
    claudeB.setScript({ text: "from B" });
    const opening = [{ role: "system", content: "You are terse." }, { role: "user", content: "Start the story." }];
    // the first turn is pinned to B with provider.order (which itself never sticks)
    const first = await chat({ model: "test/claude", max_tokens: 100, messages: opening, session_id: "conv-1", provider: { order: ["claude-b"] } });
    expect(first.provider).toBe("ClaudeB");
    const next = [...opening, { role: "assistant", content: "Once." }, { role: "user", content: "Go on." }];
    expect((await chat({ model: "test/claude", max_tokens: 100, messages: next, session_id: "conv-1" })).provider).toBe("ClaudeB");
    expect((await chat({ model: "test/claude", max_tokens: 100, messages: next, session_id: "conv-2" })).provider).toBe("ClaudeA");
    // the header names the same conversation
    expect((await chat({ model: "test/claude", max_tokens: 100, messages: next }, { "x-session-id": "conv-1" })).provider).toBe("ClaudeB");
    // without any id, the opening identifies the conversation
    const story = [{ role: "user", content: "Tell me about lighthouses." }];
    expect((await chat({ model: "test/claude", max_tokens: 100, messages: story, provider: { order: ["claude-b"] } })).provider).toBe("ClaudeB");
    expect((await chat({ model: "test/claude", max_tokens: 100, messages: [...story, { role: "assistant", content: "Tall." }, { role: "user", content: "More." }] })).provider).toBe("ClaudeB");
  });
});

describe("reasoning", () => {
  const tools = [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }];

  it("reasoning_details carry Claude's signature, and passing them back sends signed thinking before the tool call", async () => {
    claudeA.setScript({ reasoning: "Need the weather tool.", toolCalls: [{ id: "toolu_9", name: "get_weather", arguments: { city: "Oslo" } }] });
    const ask = { model: "test/claude", max_tokens: 4_000, reasoning_effort: "low", tools, messages: [{ role: "user", content: "Weather in Oslo?" }], provider: { order: ["claude-a"] } };
    const first = await chat(ask);
    expect(sent(claudeA).thinking).toEqual({ type: "enabled", budget_tokens: 2_048 });
    const message = first.choices[0]!.message as unknown as Json;
    expect(message.reasoning).toBe("Need the weather tool.");
    expect(message.reasoning_details).toEqual([
      { type: "reasoning.text", text: "Need the weather tool.", signature: "EqQBCgIYAhIM", format: "anthropic-claude-v1", index: 0 },
    ]);
    claudeA.setScript({ text: "It is sunny in Oslo." });
    const second = await chat({
      ...ask,
      messages: [...ask.messages, message, { role: "tool", tool_call_id: "toolu_9", content: "{\"sky\":\"clear\"}" }],
    });
    expect(second.choices[0]!.message.content).toBe("It is sunny in Oslo.");
    expect((sent(claudeA).messages as Json[])[1]).toEqual({
      role: "assistant",
      content: [
        { type: "thinking", thinking: "Need the weather tool.", signature: "EqQBCgIYAhIM" },
        { type: "tool_use", id: "toolu_9", name: "get_weather", input: { city: "Oslo" } },
      ],
    });
  });

  it("streams carry reasoning and reasoning_details; the pieces passed back make one signed block", async () => {
    claudeA.setScript({ reasoning: "First this. Then that.", text: "Answer." });
    const ask = { model: "test/claude", max_tokens: 4_000, reasoning: { max_tokens: 1_500 }, messages: [{ role: "user", content: "Think." }], provider: { order: ["claude-a"] } };
    const chunks = await streamChat(ask);
    const deltas = chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.delta as unknown as Json));
    expect(deltas.map((delta) => delta.reasoning ?? "").join("")).toBe("First this. Then that.");
    const details = deltas.flatMap((delta) => (delta.reasoning_details as Json[] | undefined) ?? []);
    expect(details.some((detail) => detail.signature === "EqQBCgIYAhIM")).toBe(true);
    claudeA.setScript({ text: "Again." });
    await chat({ ...ask, messages: [...ask.messages, { role: "assistant", content: "Answer.", reasoning_details: details }, { role: "user", content: "More." }] });
    expect((sent(claudeA).messages as Json[])[1]).toEqual({
      role: "assistant",
      content: [
        { type: "thinking", thinking: "First this. Then that.", signature: "EqQBCgIYAhIM" },
        { type: "text", text: "Answer." },
      ],
    });
  });

  it("reasoning.exclude: the model thinks, the answer carries no reasoning (complete and streamed)", async () => {
    claudeA.setScript({ reasoning: "Private thoughts.", text: "Public answer." });
    const ask = { model: "test/claude", max_tokens: 4_000, reasoning: { effort: "low", exclude: true }, messages: [{ role: "user", content: "Q" }], provider: { order: ["claude-a"] } };
    const data = await chat(ask);
    expect(sent(claudeA).thinking).toMatchObject({ type: "enabled" });
    const message = data.choices[0]!.message as unknown as Json;
    expect(message.content).toBe("Public answer.");
    expect(message.reasoning).toBeNull();
    expect(message).not.toHaveProperty("reasoning_details");
    const chunks = await streamChat(ask);
    expect(JSON.stringify(chunks)).not.toContain("Private");
  });
});

describe("documents and audio", () => {
  it("a PDF skips the text-only endpoint and reaches Claude as a document block", async () => {
    claudeA.setScript({ text: "A summary." });
    h.alpha.setScript({ text: "should not be asked" });
    const before = h.alpha.requests.length;
    const data = await chat({
      model: "test/docs",
      max_tokens: 200,
      messages: [{ role: "user", content: [{ type: "text", text: "Summarise" }, { type: "file", file: { filename: "r.pdf", file_data: PDF } }] }],
    });
    expect(data.provider).toBe("ClaudeA");
    expect((sent(claudeA).messages as Json[])[0]!.content).toEqual([
      { type: "text", text: "Summarise" },
      { type: "document", source: { type: "base64", media_type: "application/pdf", data: PDF.split(",")[1] }, title: "r.pdf" },
    ]);
    expect(h.alpha.requests.length).toBe(before);
    // without a document the cheaper text endpoint serves
    expect((await chat({ model: "test/docs", max_tokens: 50, messages: [{ role: "user", content: "Hi" }] })).provider).toBe("Alpha");
  });

  it("audio no endpoint of the model reads is a 404 that says so", async () => {
    const error = await chat({
      model: "test/docs",
      messages: [{ role: "user", content: [{ type: "input_audio", input_audio: { data: "UklGRiQAAABXQVZF", format: "wav" } }] }],
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as InstanceType<typeof OpenAI.NotFoundError>).message).toContain("audio input");
  });
});

describe("logprobs and OpenAI's extra fields", () => {
  it("logprobs come back complete and streamed; prediction, service_tier and verbosity reach the upstream", async () => {
    h.alpha.setScript({ text: "Two words" });
    const ask = {
      model: "test/extras",
      max_tokens: 50,
      logprobs: true,
      top_logprobs: 2,
      prediction: { type: "content", content: "Two words" },
      service_tier: "flex",
      verbosity: "low",
      messages: [{ role: "user", content: "Say two words" }],
    };
    const data = await chat(ask);
    expect(sent(h.alpha)).toMatchObject({ logprobs: true, top_logprobs: 2, prediction: { type: "content", content: "Two words" }, service_tier: "flex", verbosity: "low" });
    expect(data.choices[0]!.logprobs?.content?.map((entry) => entry.token)).toEqual(["Two ", "words"]);
    expect(data.choices[0]!.logprobs?.content?.[0]?.top_logprobs).toHaveLength(2);
    const chunks = await streamChat(ask);
    const tokens = chunks.flatMap((chunk) => chunk.choices.flatMap((choice) => choice.logprobs?.content?.map((entry) => entry.token) ?? []));
    expect(tokens).toEqual(["Two ", "words"]);
  });

  it("an OpenRouter-only preference farebox cannot honour is a 400 naming the field", async () => {
    const error = await chat({ model: "test/claude", messages: [{ role: "user", content: "Hi" }], provider: { sort: "exacto" } }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).message).toContain("provider.sort");
  });
});
