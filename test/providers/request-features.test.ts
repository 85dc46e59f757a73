/**
 * Request features that must reach the provider (prompt caching, reasoning, documents, audio,
 * logprobs, OpenAI's extra fields), each adapter against its fake upstream over real HTTP: the
 * exact body the upstream received, and what comes back.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAnthropicAdapter } from "../../src/providers/anthropic/adapter.js";
import { createGeminiAdapter } from "../../src/providers/gemini/adapter.js";
import { createOpenAICompatibleAdapter } from "../../src/providers/openai-compatible/adapter.js";
import { createUpstreamHttp, type UpstreamHttp } from "../../src/providers/shared/upstream-http.js";
import type { AdapterContext, ChatMessage, ChatRequest, ProviderAdapter, ReasoningDetail } from "../../src/providers/spec.js";
import { startFakeAnthropic, startFakeGemini, startFakeOpenAI, type FakeUpstream } from "../support/fake-upstreams/index.js";
import { collect } from "./conformance-env.js";

const PDF = "data:application/pdf;base64,JVBERi0xLjQKJcfsj6IKMSAwIG9iago8PC9UeXBlL0NhdGFsb2c+PgplbmRvYmoK";
const WAV = "UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YQAAAAA=";

type Json = Record<string, unknown>;

let http: UpstreamHttp;
let anthropicFake: FakeUpstream;
let geminiFake: FakeUpstream;
let openaiFake: FakeUpstream;
let anthropic: ProviderAdapter;
let gemini: ProviderAdapter;
let openai: ProviderAdapter;

beforeAll(async () => {
  http = createUpstreamHttp();
  [anthropicFake, geminiFake, openaiFake] = await Promise.all([startFakeAnthropic(), startFakeGemini(), startFakeOpenAI()]);
  anthropic = createAnthropicAdapter(http);
  gemini = createGeminiAdapter(http);
  openai = createOpenAICompatibleAdapter(http);
});
afterAll(async () => {
  await http.close();
  await Promise.all([anthropicFake.close(), geminiFake.close(), openaiFake.close()]);
});

const context = (baseUrl: string, supportedParameters?: string[]): AdapterContext => ({
  apiKey: "sk-test",
  baseUrl,
  timeouts: { connectMs: 2_000, firstByteMs: 3_000, idleMs: 3_000 },
  ...(supportedParameters ? { supportedParameters } : {}),
});
const anthropicAt = (supported?: string[]) => context(anthropicFake.url, supported);
const geminiAt = (supported?: string[]) => context(geminiFake.url, supported);
const openaiAt = (supported?: string[]) => context(`${openaiFake.url}/v1`, supported);
const body = (fake: FakeUpstream): Json => fake.lastRequest().body as Json;

describe("prompt caching reaches the provider", () => {
  const cached: ChatRequest = {
    model: "claude-sonnet-4-5",
    max_tokens: 100,
    messages: [
      { role: "system", content: [{ type: "text", text: "A long, stable system prompt.", cache_control: { type: "ephemeral", ttl: "1h" } }] },
      {
        role: "user",
        content: [
          { type: "text", text: "Here is the manual." },
          { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" }, cache_control: { type: "ephemeral" } },
          { type: "text", text: "Question?" },
        ],
      },
    ],
  };

  it("Anthropic: breakpoints on system and content blocks, as Anthropic's cache_control", async () => {
    anthropicFake.setScript({ text: "ok", usage: { prompt: 3_000, completion: 5, cached: 2_000, cacheWrite: 900 } });
    const response = await anthropic.complete(cached, anthropicAt());
    expect(body(anthropicFake).system).toEqual([{ type: "text", text: "A long, stable system prompt.", cache_control: { type: "ephemeral", ttl: "1h" } }]);
    expect(body(anthropicFake).messages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "Here is the manual." },
          { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" }, cache_control: { type: "ephemeral" } },
          { type: "text", text: "Question?" },
        ],
      },
    ]);
    expect(response.usage).toMatchObject({ promptTokens: 3_000, cachedPromptTokens: 2_000, cacheWritePromptTokens: 900 });
  });

  it("OpenAI-compatible: kept for upstreams that list cache_control, removed for the rest", async () => {
    openaiFake.setScript({});
    await openai.complete({ ...cached, model: "anthropic/claude-sonnet-4.5" }, openaiAt(["cache_control", "max_tokens"]));
    const kept = body(openaiFake).messages as Json[];
    expect(kept[0]).toEqual({ role: "system", content: [{ type: "text", text: "A long, stable system prompt.", cache_control: { type: "ephemeral", ttl: "1h" } }] });
    expect((kept[1]!.content as Json[])[1]).toEqual({ type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" }, cache_control: { type: "ephemeral" } });
    await openai.complete({ ...cached, model: "gpt-4o" }, openaiAt(["max_tokens"]));
    expect(JSON.stringify(body(openaiFake))).not.toContain("cache_control");
  });
});

describe("reasoning reaches each protocol and comes back with its details", () => {
  it("OpenAI: reasoning_effort from effort, budget or enabled; the object for OpenRouter-compatible upstreams", async () => {
    openaiFake.setScript({});
    const ask = (reasoning: ChatRequest["reasoning"], supported?: string[]) =>
      openai.complete({ model: "gpt-5", messages: [{ role: "user", content: "Think" }], ...(reasoning ? { reasoning } : {}) }, openaiAt(supported));
    await ask({ effort: "low" }, ["reasoning", "reasoning_effort"]);
    expect(body(openaiFake).reasoning_effort).toBe("low");
    expect(body(openaiFake)).not.toHaveProperty("reasoning");
    await ask({ max_tokens: 20_000 });
    expect(body(openaiFake).reasoning_effort).toBe("high");
    await ask({ enabled: true });
    expect(body(openaiFake).reasoning_effort).toBe("medium");
    await ask({ enabled: false });
    expect(body(openaiFake)).not.toHaveProperty("reasoning_effort");
    await ask({ effort: "high", exclude: true }, ["reasoning"]);
    expect(body(openaiFake).reasoning).toEqual({ effort: "high", exclude: true });
    expect(body(openaiFake)).not.toHaveProperty("reasoning_effort");
  });

  it("OpenAI-compatible: reasoning_details come back complete and streamed, and go back to upstreams that take them", async () => {
    const details = [{ type: "reasoning.encrypted", data: "gAAAAB-opaque", format: "openai-responses-v1", index: 0 }];
    openaiFake.setScript({ reasoning: "Hmm.", reasoningDetails: details, text: "Yes." });
    const complete = await openai.complete({ model: "openai/gpt-5", messages: [{ role: "user", content: "Q" }] }, openaiAt());
    expect(complete.message.reasoning_details).toEqual(details);
    const stream = await openai.stream({ model: "openai/gpt-5", messages: [{ role: "user", content: "Q" }] }, openaiAt());
    const chunks = await collect(stream.chunks);
    expect(chunks.flatMap((chunk) => chunk.delta.reasoning_details ?? [])).toEqual(details);
    const history: ChatMessage[] = [
      { role: "user", content: "Q" },
      { role: "assistant", content: "Yes.", reasoning_details: details as ReasoningDetail[] },
      { role: "user", content: "And?" },
    ];
    await openai.complete({ model: "openai/gpt-5", messages: history }, openaiAt(["reasoning"]));
    expect((body(openaiFake).messages as Json[])[1]).toEqual({ role: "assistant", content: "Yes.", reasoning_details: details });
    await openai.complete({ model: "gpt-5", messages: history }, openaiAt(["reasoning_effort"]));
    expect((body(openaiFake).messages as Json[])[1]).toEqual({ role: "assistant", content: "Yes." });
  });

  it("Anthropic: the thinking budget, and signed thinking survives a tool-calling turn (complete)", async () => {
    anthropicFake.setScript({ reasoning: "I should look up the weather.", toolCalls: [{ id: "toolu_1", name: "get_weather", arguments: { city: "Paris" } }] });
    const tools: ChatRequest["tools"] = [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: {} } } }];
    const first: ChatRequest = { model: "claude-sonnet-4-5", max_tokens: 4_000, reasoning: { max_tokens: 2_000 }, tools, messages: [{ role: "user", content: "Weather in Paris?" }] };
    const answer = await anthropic.complete(first, anthropicAt());
    expect(body(anthropicFake).thinking).toEqual({ type: "enabled", budget_tokens: 2_000 });
    expect(answer.message.reasoning).toBe("I should look up the weather.");
    expect(answer.message.reasoning_details).toEqual([
      { type: "reasoning.text", text: "I should look up the weather.", signature: "EqQBCgIYAhIM", format: "anthropic-claude-v1", index: 0 },
    ]);
    // the client sends the answer back as it got it, plus the tool result
    anthropicFake.setScript({ text: "Sunny." });
    const second: ChatRequest = {
      ...first,
      messages: [
        ...first.messages,
        { role: "assistant", content: null, tool_calls: answer.message.tool_calls!, reasoning_details: answer.message.reasoning_details! },
        { role: "tool", tool_call_id: "toolu_1", content: "{\"sky\":\"clear\"}" },
      ],
    };
    await anthropic.complete(second, anthropicAt());
    expect((body(anthropicFake).messages as Json[])[1]).toEqual({
      role: "assistant",
      content: [
        { type: "thinking", thinking: "I should look up the weather.", signature: "EqQBCgIYAhIM" },
        { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } },
      ],
    });
  });

  it("Anthropic: streamed thinking arrives as reasoning_details pieces that, passed back, make one signed block", async () => {
    anthropicFake.setScript({ reasoning: "Step one. Step two.", text: "Done." });
    const stream = await anthropic.stream({ model: "claude-sonnet-4-5", max_tokens: 4_000, reasoning: { effort: "low" }, messages: [{ role: "user", content: "Go" }] }, anthropicAt());
    const chunks = await collect(stream.chunks);
    const details = chunks.flatMap((chunk) => chunk.delta.reasoning_details ?? []);
    expect(details.at(-1)).toEqual({ type: "reasoning.text", text: "", signature: "EqQBCgIYAhIM", format: "anthropic-claude-v1", index: 0 });
    expect(chunks.map((chunk) => chunk.delta.reasoning ?? "").join("")).toBe("Step one. Step two.");
    await anthropic.complete(
      {
        model: "claude-sonnet-4-5",
        max_tokens: 4_000,
        reasoning: { effort: "low" },
        messages: [
          { role: "user", content: "Go" },
          { role: "assistant", content: "Done.", reasoning_details: details },
          { role: "user", content: "Again" },
        ],
      },
      anthropicAt(),
    );
    expect((body(anthropicFake).messages as Json[])[1]).toEqual({
      role: "assistant",
      content: [
        { type: "thinking", thinking: "Step one. Step two.", signature: "EqQBCgIYAhIM" },
        { type: "text", text: "Done." },
      ],
    });
  });

  it("Anthropic: unsigned or foreign reasoning is not replayed as thinking", async () => {
    anthropicFake.setScript({});
    await anthropic.complete(
      {
        model: "claude-sonnet-4-5",
        messages: [
          { role: "user", content: "Go" },
          {
            role: "assistant",
            content: "Done.",
            reasoning_details: [
              { type: "reasoning.text", text: "no signature", format: "anthropic-claude-v1", index: 0 },
              { type: "reasoning.encrypted", data: "abc", format: "openai-responses-v1", index: 1 },
            ],
          },
          { role: "user", content: "Again" },
        ],
      },
      anthropicAt(),
    );
    expect((body(anthropicFake).messages as Json[])[1]).toEqual({ role: "assistant", content: [{ type: "text", text: "Done." }] });
  });

  it("Gemini: thinkingConfig from effort, thoughts left out when excluded, reasoning_details back", async () => {
    geminiFake.setScript({ reasoning: "Pondering.", text: "42" });
    const answer = await gemini.complete({ model: "gemini-2.5-flash", reasoning: { effort: "high" }, messages: [{ role: "user", content: "Q" }] }, geminiAt());
    expect((body(geminiFake).generationConfig as Json).thinkingConfig).toEqual({ thinkingBudget: 24_576, includeThoughts: true });
    expect(answer.message.reasoning_details).toEqual([{ type: "reasoning.text", text: "Pondering.", format: "google-gemini-v1", index: 0 }]);
    await gemini.complete({ model: "gemini-2.5-flash", reasoning: { max_tokens: 3_000, exclude: true }, messages: [{ role: "user", content: "Q" }] }, geminiAt());
    expect((body(geminiFake).generationConfig as Json).thinkingConfig).toEqual({ thinkingBudget: 3_000, includeThoughts: false });
  });
});

describe("documents and audio reach providers that read them", () => {
  const withFile: ChatRequest = {
    model: "m",
    messages: [
      {
        role: "user",
        content: [
          { type: "text", text: "Summarise" },
          { type: "file", file: { filename: "report.pdf", file_data: PDF } },
          { type: "file", file: { file_data: "https://example.com/paper.pdf" } },
        ],
      },
    ],
  };

  it("Anthropic: document blocks (base64 and URL), titled by filename", async () => {
    anthropicFake.setScript({});
    await anthropic.complete(withFile, anthropicAt());
    expect((body(anthropicFake).messages as Json[])[0]!.content).toEqual([
      { type: "text", text: "Summarise" },
      { type: "document", source: { type: "base64", media_type: "application/pdf", data: PDF.split(",")[1] }, title: "report.pdf" },
      { type: "document", source: { type: "url", url: "https://example.com/paper.pdf" } },
    ]);
    expect(anthropicFake.lastRequest().headers["anthropic-beta"]).toBeUndefined();
  });

  it("Anthropic: a document uploaded beforehand goes by file_id, with the Files API beta header", async () => {
    anthropicFake.setScript({});
    const uploaded: ChatRequest = { model: "m", messages: [{ role: "user", content: [{ type: "file", file: { file_id: "file_011CNha8iCJcU1wXNR6q4V8w" } }] }] };
    await anthropic.complete(uploaded, { ...anthropicAt(), headers: { "anthropic-beta": "interleaved-thinking-2025-05-14" } });
    expect((body(anthropicFake).messages as Json[])[0]!.content).toEqual([{ type: "document", source: { type: "file", file_id: "file_011CNha8iCJcU1wXNR6q4V8w" } }]);
    expect(anthropicFake.lastRequest().headers["anthropic-beta"]).toBe("interleaved-thinking-2025-05-14,files-api-2025-04-14");
  });

  it("Gemini: inlineData for PDFs and audio, fileData for a URL", async () => {
    geminiFake.setScript({});
    const audio: ChatMessage = { role: "user", content: [{ type: "input_audio", input_audio: { data: WAV, format: "wav" } }] };
    await gemini.complete({ ...withFile, messages: [...withFile.messages, { role: "assistant", content: "ok" }, audio] }, geminiAt());
    const contents = body(geminiFake).contents as { parts: Json[] }[];
    expect(contents[0]!.parts).toEqual([
      { text: "Summarise" },
      { inlineData: { mimeType: "application/pdf", data: PDF.split(",")[1] } },
      { fileData: { mimeType: "application/pdf", fileUri: "https://example.com/paper.pdf" } },
    ]);
    expect(contents[2]!.parts).toEqual([{ inlineData: { mimeType: "audio/wav", data: WAV } }]);
  });

  it("OpenAI-compatible: file and input_audio parts as they are", async () => {
    openaiFake.setScript({});
    const audio: ChatMessage = { role: "user", content: [{ type: "input_audio", input_audio: { data: WAV, format: "wav" } }] };
    await openai.complete({ ...withFile, messages: [...withFile.messages, audio] }, openaiAt());
    const messages = body(openaiFake).messages as Json[];
    expect(messages[0]!.content).toEqual((withFile.messages[0] as { content: unknown }).content);
    expect(messages[1]!.content).toEqual([{ type: "input_audio", input_audio: { data: WAV, format: "wav" } }]);
  });
});

describe("logprobs come back when asked", () => {
  it("OpenAI-compatible: passed through, complete and streamed", async () => {
    openaiFake.setScript({ text: "Hi there" });
    const ask: ChatRequest = { model: "gpt-4o", logprobs: true, top_logprobs: 2, messages: [{ role: "user", content: "Hi" }] };
    const answer = await openai.complete(ask, openaiAt());
    expect(body(openaiFake)).toMatchObject({ logprobs: true, top_logprobs: 2 });
    const content = (answer.logprobs as { content: Json[] }).content;
    expect(content.map((entry) => entry.token)).toEqual(["Hi ", "there"]);
    expect((content[0]!.top_logprobs as Json[]).length).toBe(2);
    const stream = await openai.stream(ask, openaiAt());
    const chunks = await collect(stream.chunks);
    const streamed = chunks.flatMap((chunk) => ((chunk.logprobs as { content?: Json[] } | undefined)?.content ?? []).map((entry) => entry.token));
    expect(streamed).toEqual(["Hi ", "there"]);
  });

  it("Gemini: responseLogprobs asked for, logprobsResult mapped to OpenAI's shape, complete and streamed", async () => {
    geminiFake.setScript({ text: "Hi there" });
    const ask: ChatRequest = { model: "gemini-2.5-flash", logprobs: true, top_logprobs: 2, messages: [{ role: "user", content: "Hi" }] };
    const answer = await gemini.complete(ask, geminiAt());
    expect(body(geminiFake).generationConfig).toMatchObject({ responseLogprobs: true, logprobs: 2 });
    expect(answer.logprobs).toEqual({
      content: [
        {
          token: "Hi ",
          logprob: -0.01,
          bytes: [72, 105, 32],
          top_logprobs: [
            { token: "Hi ", logprob: -0.01, bytes: [72, 105, 32] },
            { token: "Hi ~1", logprob: -1.01, bytes: [72, 105, 32, 126, 49] },
          ],
        },
        expect.objectContaining({ token: "there", logprob: -0.02 }),
      ],
      refusal: null,
    });
    const stream = await gemini.stream(ask, geminiAt());
    const chunks = await collect(stream.chunks);
    const streamed = chunks.flatMap((chunk) => ((chunk.logprobs as { content?: Json[] } | undefined)?.content ?? []).map((entry) => entry.token));
    expect(streamed).toEqual(["Hi ", "there"]);
    await gemini.complete({ ...ask, logprobs: false }, geminiAt());
    expect(body(geminiFake)).not.toHaveProperty("generationConfig.responseLogprobs");
  });
});

describe("prediction, service_tier, modalities and verbosity pass through where the protocol has them", () => {
  const extras: Partial<ChatRequest> = {
    prediction: { type: "content", content: "const x = 1;" },
    service_tier: "auto",
    modalities: ["text", "image"],
    verbosity: "low",
    prompt_cache_key: "conversation-7",
  };

  it("OpenAI-compatible: all four (and prompt_cache_key) as they are, and only those the endpoint lists", async () => {
    openaiFake.setScript({});
    await openai.complete({ model: "gpt-4o", messages: [{ role: "user", content: "Edit" }], ...extras }, openaiAt());
    expect(body(openaiFake)).toMatchObject({
      prediction: { type: "content", content: "const x = 1;" },
      service_tier: "auto",
      modalities: ["text", "image"],
      verbosity: "low",
      prompt_cache_key: "conversation-7",
    });
    await openai.complete({ model: "gpt-4o", messages: [{ role: "user", content: "Edit" }], ...extras }, openaiAt(["prediction"]));
    expect(body(openaiFake)).toHaveProperty("prediction");
    for (const field of ["service_tier", "modalities", "verbosity"]) expect(body(openaiFake)).not.toHaveProperty(field);
  });

  it("Anthropic: service_tier (auto, or standard_only for default); Gemini: responseModalities", async () => {
    anthropicFake.setScript({});
    await anthropic.complete({ model: "claude-sonnet-4-5", messages: [{ role: "user", content: "Hi" }], ...extras }, anthropicAt());
    expect(body(anthropicFake).service_tier).toBe("auto");
    for (const field of ["prediction", "modalities", "verbosity", "prompt_cache_key"]) expect(body(anthropicFake)).not.toHaveProperty(field);
    await anthropic.complete({ model: "claude-sonnet-4-5", messages: [{ role: "user", content: "Hi" }], service_tier: "default" }, anthropicAt());
    expect(body(anthropicFake).service_tier).toBe("standard_only");
    await anthropic.complete({ model: "claude-sonnet-4-5", messages: [{ role: "user", content: "Hi" }], service_tier: "flex" }, anthropicAt());
    expect(body(anthropicFake)).not.toHaveProperty("service_tier");
    geminiFake.setScript({});
    await gemini.complete({ model: "gemini-2.5-flash-image", messages: [{ role: "user", content: "Draw" }], ...extras }, geminiAt());
    expect((body(geminiFake).generationConfig as Json).responseModalities).toEqual(["TEXT", "IMAGE"]);
  });
});
