/**
 * The Responses API end to end: the official `openai` SDK, unmodified (`responses.create`,
 * `responses.stream` and its `finalResponse()`, which checks the event sequence), against the
 * real server, whose catalog points at fake upstreams of all three protocols (OpenAI-compatible,
 * Anthropic, Gemini). What the upstream received shows the translation into chat; the ledger and
 * the generation record show that a request is billed and recorded exactly as through chat.
 */
import type OpenAI from "openai";
import type { Response as OpenAIResponse, ResponseCreateParamsNonStreaming, ResponseStreamEvent } from "openai/resources/responses/responses";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeAnthropic, startFakeGemini, type FakeBehaviour, type FakeUpstream } from "../support/fake-upstreams/index.js";
import { startHarness, type Harness } from "../gateway/harness.js";

type Json = Record<string, unknown>;

const CLAUDE_PRICE = { prompt: "0.000003", completion: "0.000015" };
const GEMINI_PRICE = { prompt: "0.0000003", completion: "0.0000025" };
const PARAMETERS = ["tools", "tool_choice", "max_tokens", "temperature", "reasoning", "response_format", "structured_outputs", "top_p"];

let h: Harness;
let openai: OpenAI;
let claude: FakeUpstream;
let gemini: FakeUpstream;

beforeAll(async () => {
  [claude, gemini] = await Promise.all([startFakeAnthropic(), startFakeGemini()]);
  h = await startHarness({
    keepAliveMs: 50,
    extraProviders: {
      claude: { name: "Claude", protocol: "anthropic", base_url: claude.url, api_key: "claude-key", headers: {} },
      google: { name: "Google", protocol: "gemini", base_url: gemini.url, api_key: "google-key", headers: {} },
    },
    extraModels: [
      { id: "test/claude", context_length: 200_000, max_completion_tokens: 8_000, supported_parameters: PARAMETERS, endpoints: [{ provider: "claude", model: "claude-sonnet-4-5", pricing: CLAUDE_PRICE }] },
      { id: "test/gemini", context_length: 200_000, max_completion_tokens: 8_000, supported_parameters: PARAMETERS, endpoints: [{ provider: "google", model: "gemini-2.5-flash", pricing: GEMINI_PRICE }] },
    ],
  });
  openai = h.client();
});
afterAll(async () => {
  await h.close();
  await Promise.all([claude.close(), gemini.close()]);
});
beforeEach(() => {
  for (const fake of [h.alpha, h.beta, claude, gemini]) fake.setScript({});
});
afterEach(async () => {
  expect(await h.settledAudit()).toEqual({ ok: true, problems: [] });
  expect(await h.openHolds()).toBe(0);
});

/** The three protocols, each with the model that reaches it and its fake. */
const PROTOCOLS = [
  { protocol: "openai", model: "test/chat", fake: () => h.alpha },
  { protocol: "anthropic", model: "test/claude", fake: () => claude },
  { protocol: "gemini", model: "test/gemini", fake: () => gemini },
] as const;

const create = (body: Json) => openai.responses.create(body as unknown as ResponseCreateParamsNonStreaming) as unknown as Promise<OpenAIResponse>;

/** Streams through the SDK's helper; answers every event and the final response it assembled. */
async function stream(body: Json): Promise<{ events: ResponseStreamEvent[]; final: OpenAIResponse }> {
  const runner = openai.responses.stream(body as never);
  const events: ResponseStreamEvent[] = [];
  for await (const event of runner) events.push(event);
  return { events, final: await runner.finalResponse() };
}

/** What one call cost the account, in nano-USD, once its charge is written. */
async function debitOf(call: () => Promise<unknown>): Promise<bigint> {
  const before = await h.balanceNano();
  await call();
  await h.chat.gateway.drain();
  return before - (await h.balanceNano());
}

const upstreamMessages = (fake: FakeUpstream) => (fake.lastRequest().body as { messages: Json[] }).messages;

describe("text", () => {
  it.each(PROTOCOLS)("answers a string input with instructions through $protocol (non-stream)", async ({ model, fake }) => {
    fake().setScript({ text: "Hi there", usage: { prompt: 12, completion: 7 } });
    const { data, response } = await openai.responses
      .create({ model, input: "Hello", instructions: "Be brief.", max_output_tokens: 50, temperature: 0.5 })
      .withResponse();
    expect(data.object).toBe("response");
    expect(data.status).toBe("completed");
    expect(data.output_text).toBe("Hi there");
    expect(data.output).toEqual([
      { type: "message", id: expect.any(String), role: "assistant", status: "completed", content: [{ type: "output_text", text: "Hi there", annotations: [] }] },
    ]);
    expect(data.model).toBe(model);
    expect(data.id).toBe(response.headers.get("x-generation-id"));
    expect(data).toMatchObject({ instructions: "Be brief.", max_output_tokens: 50, temperature: 0.5, store: false, tool_choice: "auto", tools: [] });
    const usage = data.usage as unknown as unknown as Json;
    expect(usage).toMatchObject({ input_tokens: 12, output_tokens: 7, total_tokens: 19, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 }, is_byok: false });
    expect(usage.cost).toBeGreaterThan(0);
    expect(usage.cost_details).toMatchObject({ upstream_inference_input_cost: expect.any(Number), upstream_inference_output_cost: expect.any(Number) });
  });

  it("sends instructions as the system prompt, the input as the user turn and max_output_tokens as the token limit", async () => {
    await create({ model: "test/chat", input: "Hello", instructions: "Be brief.", max_output_tokens: 50 });
    expect(h.alpha.lastRequest().body).toMatchObject({ max_tokens: 50, messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Hello" }] });
    await create({ model: "test/claude", input: [{ role: "user", content: [{ type: "input_text", text: "Hi" }] }], instructions: "Be brief.", max_output_tokens: 60 });
    expect(claude.lastRequest().body).toMatchObject({ max_tokens: 60, messages: [{ role: "user", content: [{ type: "text", text: "Hi" }] }] });
    expect(JSON.stringify((claude.lastRequest().body as Json).system)).toContain("Be brief.");
  });

  it.each(PROTOCOLS)("streams the Responses event sequence through $protocol", async ({ model, fake }) => {
    fake().setScript({ text: "one two three", usage: { prompt: 9, completion: 3 } });
    const { events, final } = await stream({ model, input: "Count" });
    expect(final.output_text).toBe("one two three");
    expect(final.status).toBe("completed");
    expect(final.usage).toMatchObject({ input_tokens: 9, output_tokens: 3, total_tokens: 12 });
    expect((final.usage as unknown as Json).cost).toBeGreaterThan(0);
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    const types = [...new Set(events.map((event) => event.type))];
    expect(types).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(events.filter((event) => event.type === "response.output_text.delta").length).toBeGreaterThan(1);
  });

  it("a length stop is an incomplete response, streamed and not", async () => {
    h.alpha.setScript({ text: "cut", finish: "length" });
    const whole = await create({ model: "test/chat", input: "Long story", max_output_tokens: 3 });
    expect(whole.status).toBe("incomplete");
    expect(whole.incomplete_details).toEqual({ reason: "max_output_tokens" });
    const { events, final } = await stream({ model: "test/chat", input: "Long story", max_output_tokens: 3 });
    expect(events.at(-1)!.type).toBe("response.incomplete");
    expect(final.status).toBe("incomplete");
    expect(final.output_text).toBe("cut");
  });
});

const weatherTool = { type: "function", name: "get_weather", description: "Weather", parameters: { type: "object", properties: { city: { type: "string" } } }, strict: false };

describe("function tools", () => {
  it.each(PROTOCOLS)("returns function calls through $protocol, streamed and not", async ({ model, fake }) => {
    fake().setScript({
      toolCalls: [
        { id: "call_1", name: "get_weather", arguments: { city: "Paris" } },
        { id: "call_2", name: "get_weather", arguments: { city: "Rome" } },
      ],
    });
    const calls = (response: OpenAIResponse) =>
      response.output.filter((item) => item.type === "function_call").map((item) => ({ name: item.name, status: item.status, arguments: JSON.parse(item.arguments) as unknown, hasCallId: item.call_id !== "" }));
    const expected = [
      { name: "get_weather", status: "completed", arguments: { city: "Paris" }, hasCallId: true },
      { name: "get_weather", status: "completed", arguments: { city: "Rome" }, hasCallId: true },
    ];
    const whole = await create({ model, input: "Weather in Paris and Rome?", tools: [weatherTool], tool_choice: "auto" });
    expect(calls(whole)).toEqual(expected);
    const { events, final } = await stream({ model, input: "Weather in Paris and Rome?", tools: [weatherTool] });
    expect(calls(final)).toEqual(expected);
    expect(events.some((event) => event.type === "response.function_call_arguments.delta")).toBe(true);
    const done = events.filter((event) => event.type === "response.function_call_arguments.done").map((event) => JSON.parse((event as { arguments: string }).arguments) as unknown);
    expect(done).toEqual([{ city: "Paris" }, { city: "Rome" }]);
  });

  it("sends function tools and tool_choice in chat's shape", async () => {
    await create({ model: "test/chat", input: "Weather?", tools: [weatherTool], tool_choice: { type: "function", name: "get_weather" } });
    expect(h.alpha.lastRequest().body).toMatchObject({
      tools: [{ type: "function", function: { name: "get_weather", description: "Weather", parameters: weatherTool.parameters, strict: false } }],
      tool_choice: { type: "function", function: { name: "get_weather" } },
    });
  });

  it("passes a function call and its output back as one assistant turn and a tool result", async () => {
    h.alpha.setScript({ text: "It is sunny." });
    const answer = await create({
      model: "test/chat",
      tools: [weatherTool],
      input: [
        { role: "user", content: "Weather in Paris?" },
        { type: "function_call", call_id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' },
        { type: "function_call_output", call_id: "call_1", output: '{"sky":"sunny"}' },
      ],
    });
    expect(answer.output_text).toBe("It is sunny.");
    expect(upstreamMessages(h.alpha)).toEqual([
      { role: "user", content: "Weather in Paris?" },
      { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] },
      { role: "tool", tool_call_id: "call_1", content: '{"sky":"sunny"}' },
    ]);
  });
});

describe("reasoning", () => {
  it("Claude's signed thinking comes out as a reasoning item and goes back as a signed thinking block", async () => {
    claude.setScript({ reasoning: "Need the weather tool.", toolCalls: [{ id: "toolu_9", name: "get_weather", arguments: { city: "Oslo" } }] });
    const first = await create({ model: "test/claude", input: "Weather in Oslo?", tools: [weatherTool], reasoning: { effort: "low" }, max_output_tokens: 4_000 });
    const reasoning = first.output[0] as unknown as unknown as Json;
    expect(reasoning).toMatchObject({
      type: "reasoning",
      summary: [],
      content: [{ type: "reasoning_text", text: "Need the weather tool." }],
      signature: "EqQBCgIYAhIM",
      format: "anthropic-claude-v1",
    });
    expect(first.output[1]).toMatchObject({ type: "function_call", call_id: "toolu_9" });
    claude.setScript({ text: "Cold." });
    await create({
      model: "test/claude",
      tools: [weatherTool],
      reasoning: { effort: "low" },
      max_output_tokens: 4_000,
      input: ["Weather in Oslo?", ...first.output, { type: "function_call_output", call_id: "toolu_9", output: "-3C" }].map((item) =>
        typeof item === "string" ? { role: "user", content: item } : item,
      ),
    });
    const assistant = (claude.lastRequest().body as { messages: { role: string; content: Json[] }[] }).messages[1]!;
    expect(assistant.role).toBe("assistant");
    expect(assistant.content[0]).toEqual({ type: "thinking", thinking: "Need the weather tool.", signature: "EqQBCgIYAhIM" });
    expect(assistant.content[1]).toMatchObject({ type: "tool_use", id: "toolu_9", name: "get_weather" });
  });

  it("streams reasoning text before the answer, the signature on the finished item", async () => {
    claude.setScript({ reasoning: "First this. Then that.", text: "Answer." });
    const { events, final } = await stream({ model: "test/claude", input: "Think.", reasoning: { max_tokens: 1_500 }, max_output_tokens: 4_000 });
    const deltas = events.filter((event) => event.type === "response.reasoning_text.delta").map((event) => (event as { delta: string }).delta);
    expect(deltas.join("")).toBe("First this. Then that.");
    expect(final.output.map((item) => item.type)).toEqual(["reasoning", "message"]);
    expect(final.output[0]).toMatchObject({ content: [{ type: "reasoning_text", text: "First this. Then that." }], signature: "EqQBCgIYAhIM" });
    expect(final.output_text).toBe("Answer.");
  });

  it("encrypted reasoning is returned only when include asks for it, and passed back as reasoning.encrypted", async () => {
    h.alpha.setScript({
      text: "Done.",
      reasoningDetails: [
        { type: "reasoning.summary", summary: "Thought briefly.", format: "openai-responses-v1", index: 0 },
        { type: "reasoning.encrypted", data: "gAAAAB-secret", id: "rs_1", format: "openai-responses-v1", index: 1 },
      ],
    });
    const plain = await create({ model: "test/chat", input: "Q", reasoning: { effort: "low", summary: "auto" } });
    expect(plain.output[0]).toMatchObject({ type: "reasoning", summary: [{ type: "summary_text", text: "Thought briefly." }] });
    expect(plain.output[0]).not.toHaveProperty("encrypted_content");
    const included = await create({ model: "test/chat", input: "Q", reasoning: { effort: "low" }, include: ["reasoning.encrypted_content"] });
    expect(included.output[0]).toMatchObject({ type: "reasoning", encrypted_content: "gAAAAB-secret" });
    const { final } = await stream({ model: "test/chat", input: "Q", reasoning: { effort: "low" }, include: ["reasoning.encrypted_content"] });
    expect(final.output[0]).toMatchObject({ type: "reasoning", encrypted_content: "gAAAAB-secret", summary: [{ type: "summary_text", text: "Thought briefly." }] });

    await create({ model: "test/chat", input: [{ role: "user", content: "Q" }, ...included.output, { role: "user", content: "And?" }] });
    const assistant = upstreamMessages(h.alpha)[1]!;
    expect(assistant).toMatchObject({ role: "assistant", content: "Done." });
    expect(h.alpha.lastRequest().body).toMatchObject({ messages: [{}, { role: "assistant" }, { role: "user", content: "And?" }] });
  });
});

describe("structured output", () => {
  it("text.format json_schema becomes the chat response_format", async () => {
    h.alpha.setScript({ text: '{"city":"Paris"}' });
    const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false };
    const answer = await create({ model: "test/chat", input: "City?", text: { format: { type: "json_schema", name: "place", schema, strict: true } } });
    expect(JSON.parse(answer.output_text)).toEqual({ city: "Paris" });
    expect(answer.text).toMatchObject({ format: { type: "json_schema", name: "place" } });
    expect(h.alpha.lastRequest().body).toMatchObject({ response_format: { type: "json_schema", json_schema: { name: "place", schema, strict: true } } });
  });
});

describe("one pipeline: billing and records as through chat", () => {
  const script: FakeBehaviour = { text: "Same answer", usage: { prompt: 31, completion: 17 } };

  it.each(PROTOCOLS)("the same request costs the same to the nano-dollar through chat and Responses ($protocol), streamed and not", async ({ model, fake }) => {
    fake().setScript(script);
    let chatId = "";
    const viaChat = await debitOf(async () => {
      chatId = (await openai.chat.completions.create({ model, messages: [{ role: "user", content: "Hello" }], max_tokens: 100 })).id;
    });
    let responseId = "";
    const viaResponses = await debitOf(async () => {
      responseId = (await create({ model, input: "Hello", max_output_tokens: 100 })).id;
    });
    let streamedId = "";
    const viaStream = await debitOf(async () => {
      streamedId = (await stream({ model, input: "Hello", max_output_tokens: 100 })).final.id;
    });
    expect(viaChat).toBeGreaterThan(0n);
    expect(viaResponses).toBe(viaChat);
    expect(viaStream).toBe(viaChat);
    const record = async (id: string) => {
      const found = await h.chat.generations.find(id, h.accountId);
      if (!found) throw new Error(`no generation ${id}`);
      const { promptTokens, completionTokens, totalNano, feeNano, upstreamCostNano, holdNano, provider, model: served, finishReason } = found;
      return { promptTokens, completionTokens, totalNano, feeNano, upstreamCostNano, holdNano, provider, served, finishReason };
    };
    expect(await record(responseId)).toEqual(await record(chatId));
    expect(await record(streamedId)).toEqual(await record(chatId));
    expect((await h.chat.generations.find(streamedId, h.accountId))!.streamed).toBe(true);
  });

  it("a client that goes away mid-stream stops the upstream and pays for what was produced", async () => {
    claude.setScript({ text: Array.from({ length: 200 }, (_, i) => `w${i}`).join(" "), frameDelayMs: 15 });
    const before = await h.balanceNano();
    const { data: events, response } = await openai.responses.create({ model: "test/claude", input: "long", max_output_tokens: 500, stream: true }).withResponse();
    let text = "";
    for await (const event of events) {
      if (event.type === "response.output_text.delta") text += event.delta;
      if (text.includes("w3 ")) break;
    }
    const upstreamRequest = claude.lastRequest();
    await upstreamRequest.closed;
    expect(upstreamRequest.closedEarly).toBe(true);
    await h.chat.gateway.drain();
    const generation = await h.chat.generations.find(response.headers.get("x-generation-id")!, h.accountId);
    expect(generation).toMatchObject({ cancelled: true, streamed: true });
    expect(generation!.completionTokens).toBeGreaterThan(0);
    expect(before - (await h.balanceNano())).toBe(generation!.totalNano);
    expect(generation!.totalNano).toBeGreaterThan(0n);
  });

  it("falls back to the next endpoint before the first byte, as chat does", async () => {
    h.alpha.setScript({ error: { status: 503 } });
    h.beta.setScript({ text: "from beta" });
    const whole = await create({ model: "test/chat", input: "Hi" });
    expect(whole.output_text).toBe("from beta");
    const { final } = await stream({ model: "test/chat", input: "Hi" });
    expect(final.output_text).toBe("from beta");
    await h.chat.gateway.drain();
    expect((await h.chat.generations.find(final.id, h.accountId))!.provider).toBe("beta");
  });

  it("a failure after keep-alives committed the stream is a created then failed response", async () => {
    for (const fake of [h.alpha, h.beta]) fake.setScript({ error: { status: 400, message: "bad prompt" }, firstByteDelayMs: 300 });
    const { events, final } = await stream({ model: "test/chat", input: "Hi" });
    expect(events.map((event) => event.type)).toEqual(["response.created", "response.in_progress", "response.failed"]);
    expect(final.status).toBe("failed");
    expect(final.error).toMatchObject({ code: "invalid_prompt" });
  });

  it("a failure after the first byte ends the stream with response.failed", async () => {
    for (const fake of [h.alpha, h.beta]) fake.setScript({ text: "a b c d e f", streamErrorAfter: 3 });
    const { events, final } = await stream({ model: "test/chat", input: "Hi" });
    expect(events.at(-1)!.type).toBe("response.failed");
    expect(final.status).toBe("failed");
    expect(final.error).toMatchObject({ code: "server_error", message: "The provider failed while streaming." });
    expect(final.output_text).toBe("a b ");
  });
});

describe("errors in OpenRouter's envelope", () => {
  const post = async (body: Json, key = h.key) => {
    const response = await fetch(`${h.url}/v1/responses`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as { error: { code: number; message: string; metadata: Json } } };
  };

  it.each([
    [{ model: "test/chat", input: "Hi", store: true }, "store"],
    [{ model: "test/chat", input: "Hi", previous_response_id: "resp_1" }, "previous_response_id"],
    [{ model: "test/chat", input: "Hi", tools: [{ type: "web_search" }] }, "tools.0.type"],
    [{ model: "test/chat", input: [{ type: "item_reference", id: "msg_1" }] }, "input.0.type"],
    [{ model: "test/chat", input: [] }, "input"],
    [{ model: "test/chat", input: "Hi", max_output_tokens: -1 }, "max_output_tokens"],
    [{ model: "test/chat", input: [{ role: "system", content: [{ type: "input_image", image_url: "https://x/y.png" }] }] }, "input.0.content.0"],
  ])("answers 400 naming the field for %j", async (body, param) => {
    const { status, body: envelope } = await post(body);
    expect(status).toBe(400);
    expect(envelope.error).toMatchObject({ code: 400, metadata: { error_type: "invalid_request", param } });
    expect(envelope.error.message).toContain(param.split(".")[0]!);
  });

  it("the SDK sees a 400 for store: true and previous_response_id, nothing is charged", async () => {
    const balance = await h.balanceNano();
    await expect(create({ model: "test/chat", input: "Hi", store: true })).rejects.toMatchObject({ status: 400 });
    await expect(create({ model: "test/chat", input: "Hi", previous_response_id: "resp_1" })).rejects.toMatchObject({ status: 400 });
    expect(await h.balanceNano()).toBe(balance);
  });

  it("asks for a key (401) and for credit (402) as chat does", async () => {
    const unauthorized = await post({ model: "test/chat", input: "Hi" }, "sk-or-v1-nope");
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.body.error.code).toBe(401);
    const broke = await startHarness({ balanceUsd: "0" });
    try {
      const client = broke.client();
      await expect(client.responses.create({ model: "test/chat", input: "Hi" })).rejects.toMatchObject({ status: 402 });
      await expect(client.responses.stream({ model: "test/chat", input: "Hi" }).finalResponse()).rejects.toMatchObject({ status: 402 });
      const viaChat = await client.chat.completions.create({ model: "test/chat", messages: [{ role: "user", content: "Hi" }] }).catch((error: { status: number; error: unknown }) => error);
      const viaResponses = await client.responses.create({ model: "test/chat", input: "Hi" }).catch((error: { status: number; error: unknown }) => error);
      expect({ status: (viaResponses as { status: number }).status, error: (viaResponses as { error: unknown }).error }).toEqual({
        status: (viaChat as { status: number }).status,
        error: (viaChat as { error: unknown }).error,
      });
      expect(broke.alpha.requests).toHaveLength(0);
    } finally {
      await broke.close();
    }
  });
});
