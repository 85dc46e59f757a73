/**
 * Legacy completions end to end: the `openai` SDK's `completions.create`, unmodified, against the
 * running server, whose catalog routes to fake upstreams of all three protocols: an
 * OpenAI-compatible one that serves the legacy `/completions` (the prompt goes there raw), a
 * chat-only OpenAI-compatible one, Anthropic and Gemini (the prompt becomes one user turn). The
 * same request through chat and through completions is billed the same to the nano-dollar, and
 * refusals (402), fallback and the generation record behave as chat's do.
 */
import OpenAI from "openai";
import type { Completion } from "openai/resources/completions";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startFakeAnthropic, startFakeGemini, startFakeOpenAI, type FakeUpstream } from "../support/fake-upstreams/index.js";
import { ALPHA_PRICE, startHarness, type Harness } from "../gateway/harness.js";
import { textCompletionSchema } from "../../src/formats/completions/index.js";

type Json = Record<string, unknown>;

const PARAMETERS = ["max_tokens", "temperature", "top_p", "stop", "seed", "logprobs", "top_logprobs", "user"];

let h: Harness;
let openai: OpenAI;
let legacy: FakeUpstream;
let claude: FakeUpstream;
let gemini: FakeUpstream;

/** Every route of this test: the model id and the fake it reaches. */
const ROUTES = () =>
  [
    { model: "test/text-legacy", fake: legacy, raw: true },
    { model: "test/text-chat", fake: h.alpha, raw: false },
    { model: "test/text-claude", fake: claude, raw: false },
    { model: "test/text-gemini", fake: gemini, raw: false },
  ] as const;

beforeAll(async () => {
  [legacy, claude, gemini] = await Promise.all([startFakeOpenAI(), startFakeAnthropic(), startFakeGemini()]);
  const model = (id: string, provider: string, upstream: string) => ({
    id,
    context_length: 100_000,
    max_completion_tokens: 1_000,
    supported_parameters: PARAMETERS,
    endpoints: [{ provider, model: upstream, pricing: ALPHA_PRICE }],
  });
  h = await startHarness({
    keepAliveMs: 50,
    extraProviders: {
      legacy: { name: "Legacy", protocol: "openai", base_url: `${legacy.url}/v1`, api_key: "legacy-key", headers: {}, text_completions: true },
      claude: { name: "Claude", protocol: "anthropic", base_url: claude.url, api_key: "claude-key", headers: {} },
      gemini: { name: "Gemini", protocol: "gemini", base_url: gemini.url, api_key: "gemini-key", headers: {} },
    },
    extraModels: [
      model("test/text-legacy", "legacy", "legacy-instruct"),
      model("test/text-chat", "alpha", "alpha-chat"),
      model("test/text-claude", "claude", "claude-haiku-4-5"),
      model("test/text-gemini", "gemini", "gemini-2.5-flash"),
      {
        id: "test/text-fallback",
        context_length: 100_000,
        max_completion_tokens: 1_000,
        supported_parameters: PARAMETERS,
        // the cheaper raw-text endpoint leads; the chat-only one is the fallback
        endpoints: [
          { provider: "legacy", model: "legacy-instruct", pricing: ALPHA_PRICE },
          { provider: "beta", model: "beta-chat", pricing: { prompt: "0.000001", completion: "0.000002" } },
        ],
      },
    ],
  });
  openai = h.client();
});
afterAll(async () => {
  await h?.close();
  await Promise.all([legacy?.close(), claude?.close(), gemini?.close()]);
});
afterEach(async () => {
  for (const fake of [legacy, claude, gemini, h.alpha, h.beta]) fake.setScript({});
  expect(await h.settledAudit()).toEqual({ ok: true, problems: [] });
  expect(await h.openHolds()).toBe(0);
});

/** What one call cost the account and what its generation record says. */
async function billed<T>(call: () => Promise<T>, idOf: (value: T) => string): Promise<{ value: T; debitNano: bigint; record: Json }> {
  await h.chat.gateway.drain();
  const before = await h.balanceNano();
  const value = await call();
  await h.chat.gateway.drain();
  const record = (await h.chat.generations.find(idOf(value), h.accountId)) as unknown as Json;
  return { value, debitNano: before - (await h.balanceNano()), record };
}

/** The record's billing and routing columns (what must not depend on the inbound format). */
const billingOf = (record: Json) => ({
  model: record.model,
  provider: record.provider,
  promptTokens: record.promptTokens,
  completionTokens: record.completionTokens,
  upstreamCostNano: record.upstreamCostNano,
  feeNano: record.feeNano,
  totalNano: record.totalNano,
  holdNano: record.holdNano,
  finishReason: record.finishReason,
  streamed: record.streamed,
});

async function streamCompletion(body: Json): Promise<{ chunks: Completion[]; text: string }> {
  const stream = await openai.completions.create({ ...body, stream: true } as never as OpenAI.CompletionCreateParamsStreaming);
  const chunks: Completion[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return { chunks, text: chunks.map((chunk) => chunk.choices[0]?.text ?? "").join("") };
}

async function streamChat(body: Json): Promise<{ id: string }> {
  const stream = await openai.chat.completions.create({ ...body, stream: true } as never as OpenAI.ChatCompletionCreateParamsStreaming);
  let id = "";
  for await (const chunk of stream) id = chunk.id;
  return { id };
}

describe("non-stream", () => {
  it("answers a text_completion from every protocol, raw where the endpoint serves /completions, billed as chat bills it", async () => {
    for (const route of ROUTES()) {
      route.fake.setScript({ text: "Paris is the capital.", usage: { prompt: 9, completion: 5 } });
      const completion = await billed(
        () => openai.completions.create({ model: route.model, prompt: "The capital of France is", max_tokens: 20, temperature: 0.5 }),
        (value) => value.id,
      );
      const answer = completion.value;
      expect(textCompletionSchema.parse(answer), route.model).toBeTruthy();
      expect(answer.object).toBe("text_completion");
      expect(answer.choices[0]!.text, route.model).toBe("Paris is the capital.");
      expect(answer.choices[0]!.finish_reason).toBe("stop");
      expect(answer.model).toBe(route.model);
      expect(answer.usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 5, total_tokens: 14 });
      const sent = route.fake.lastRequest();
      if (route.raw) {
        expect(sent.url).toBe("/v1/completions");
        expect(sent.body).toMatchObject({ model: "legacy-instruct", prompt: "The capital of France is", max_tokens: 20, temperature: 0.5 });
        expect(sent.body).not.toHaveProperty("messages");
      } else {
        expect(JSON.stringify(sent.body)).toContain("The capital of France is");
        expect(sent.url).not.toMatch(/\/v1\/completions$/);
      }

      const chat = await billed(
        () => openai.chat.completions.create({ model: route.model, messages: [{ role: "user", content: "The capital of France is" }], max_tokens: 20, temperature: 0.5 }),
        (value) => value.id,
      );
      expect(completion.debitNano, route.model).toBeGreaterThan(0n);
      expect(completion.debitNano, route.model).toBe(chat.debitNano);
      expect(billingOf(completion.record), route.model).toEqual(billingOf(chat.record));
      expect((answer.usage as unknown as { cost: number }).cost).toBe((chat.value.usage as unknown as { cost: number }).cost);
    }
  });

  it("passes suffix and logprobs to a raw-text endpoint and reads its legacy log probabilities back", async () => {
    legacy.setScript({ text: "one two" });
    const answer = await openai.completions.create({ model: "test/text-legacy", prompt: "count:", suffix: " three", logprobs: 2, max_tokens: 5 });
    expect(legacy.lastRequest().body).toMatchObject({ prompt: "count:", suffix: " three", logprobs: 2 });
    expect(legacy.lastRequest().body).not.toHaveProperty("echo");
    expect(answer.choices[0]!.logprobs).toEqual({
      tokens: ["one ", "two"],
      token_logprobs: [-0.01, -0.02],
      top_logprobs: [
        { "one ": -0.01, "one ~1": -1.01 },
        { two: -0.02, "two~1": -1.02 },
      ],
      text_offset: [0, 4],
    });
  });

  it("translates logprobs for a chat endpoint and echoes the prompt before the answer", async () => {
    h.alpha.setScript({ text: "one two" });
    const answer = await openai.completions.create({ model: "test/text-chat", prompt: "count: ", echo: true, logprobs: 1, max_tokens: 5 });
    expect(h.alpha.lastRequest().body).toMatchObject({ messages: [{ role: "user", content: "count: " }], logprobs: true, top_logprobs: 1 });
    expect(answer.choices[0]!.text).toBe("count: one two");
    expect(answer.choices[0]!.logprobs).toMatchObject({ tokens: ["one ", "two"], text_offset: [7, 11] });
  });

  it("falls back from a failing raw-text endpoint to a chat one, and records both attempts", async () => {
    legacy.setScript({ error: { status: 503 } });
    h.beta.setScript({ text: "From beta." });
    const answer = await openai.completions.create({ model: "test/text-fallback", prompt: "Hello", max_tokens: 10 });
    expect(answer.choices[0]!.text).toBe("From beta.");
    expect(legacy.lastRequest().url).toBe("/v1/completions");
    expect(h.beta.lastRequest().url).toBe("/v1/chat/completions");
    await h.chat.gateway.drain();
    const generation = await fetch(`${h.url}/api/v1/generation?id=${answer.id}`, { headers: { authorization: `Bearer ${h.key}` } });
    const { data } = (await generation.json()) as { data: Json };
    expect(data).toMatchObject({ id: answer.id, provider_name: "Beta", streamed: false });
    expect(data.provider_responses).toEqual([
      expect.objectContaining({ provider_name: "Legacy", status: 503 }),
      expect.objectContaining({ provider_name: "Beta", status: 200 }),
    ]);
  });
});

describe("OpenRouter's chat `prompt`", () => {
  it("goes raw to an endpoint that serves /completions and answers as chat", async () => {
    legacy.setScript({ text: "continued" });
    const answer = await openai.chat.completions.create({ model: "test/text-legacy", prompt: "Go on:", max_tokens: 5 } as never as OpenAI.ChatCompletionCreateParamsNonStreaming);
    expect(legacy.lastRequest().url).toBe("/v1/completions");
    expect(legacy.lastRequest().body).toMatchObject({ prompt: "Go on:" });
    expect(answer.object).toBe("chat.completion");
    expect(answer.choices[0]!.message.content).toBe("continued");
  });
});

describe("stream", () => {
  it("streams text_completion chunks from every protocol, usage with cost last, billed as a chat stream", async () => {
    for (const route of ROUTES()) {
      route.fake.setScript({ text: "Streaming words arrive.", usage: { prompt: 8, completion: 4 } });
      const completion = await billed(
        () => streamCompletion({ model: route.model, prompt: "Say something", max_tokens: 20 }),
        (value) => value.chunks[0]!.id,
      );
      const { chunks, text } = completion.value;
      expect(text, route.model).toBe("Streaming words arrive.");
      for (const chunk of chunks) expect(textCompletionSchema.parse(chunk).object).toBe("text_completion");
      expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
      expect(chunks.some((chunk) => chunk.choices[0]?.finish_reason === "stop")).toBe(true);
      const last = chunks.at(-1)!;
      expect(last.choices).toEqual([]);
      expect(last.usage).toMatchObject({ prompt_tokens: 8, completion_tokens: 4 });
      if (route.raw) expect(route.fake.lastRequest().body).toMatchObject({ prompt: "Say something", stream: true });

      const chat = await billed(() => streamChat({ model: route.model, messages: [{ role: "user", content: "Say something" }], max_tokens: 20 }), (value) => value.id);
      expect(completion.debitNano, route.model).toBeGreaterThan(0n);
      expect(completion.debitNano, route.model).toBe(chat.debitNano);
      expect(billingOf(completion.record), route.model).toEqual(billingOf(chat.record));
      expect((last.usage as unknown as { cost: number }).cost).toBeGreaterThan(0);
    }
  });

  it("streams the echoed prompt first and legacy log probabilities with running offsets", async () => {
    legacy.setScript({ text: "a b" });
    const { chunks, text } = await streamCompletion({ model: "test/text-legacy", prompt: "x: ", echo: true, logprobs: 0, max_tokens: 5 });
    expect(text).toBe("x: a b");
    expect(chunks[0]!.choices[0]!.text).toBe("x: ");
    const offsets = chunks.flatMap((chunk) => chunk.choices[0]?.logprobs?.text_offset ?? []);
    expect(offsets).toEqual([3, 5]);
  });

  it("reports a failure after the first chunk as an error chunk in the stream", async () => {
    h.alpha.setScript({ text: "one two three four", streamErrorAfter: 2 });
    const response = await fetch(`${h.url}/v1/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${h.key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "test/text-chat", prompt: "count", stream: true, max_tokens: 20 }),
    });
    expect(response.status).toBe(200);
    const frames = (await response.text()).split("\n\n").filter((frame) => frame.startsWith("data: ") && !frame.includes("[DONE]"));
    const last = JSON.parse(frames.at(-1)!.slice(6)) as Json;
    expect(last).toMatchObject({ object: "text_completion", error: { code: expect.any(Number) }, choices: [{ finish_reason: "error", text: "" }] });
  });
});

describe("refusals and bad input", () => {
  it("402 from a key whose limit cannot cover the worst case, exactly as chat answers it", async () => {
    const created = await fetch(`${h.url}/api/v1/keys`, {
      method: "POST",
      headers: { authorization: `Bearer ${h.managementKey}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "tiny", limit: 0.00005, limit_reset: "daily" }),
    });
    const limited = h.client({ apiKey: ((await created.json()) as { key: string }).key });
    const requests = legacy.requests.length;
    const viaCompletions = await limited.completions.create({ model: "test/text-legacy", prompt: "x", max_tokens: 1_000 }).catch((e: unknown) => e);
    const viaChat = await limited.chat.completions.create({ model: "test/text-legacy", messages: [{ role: "user", content: "x" }], max_tokens: 1_000 }).catch((e: unknown) => e);
    expect(viaCompletions).toBeInstanceOf(OpenAI.APIError);
    expect((viaCompletions as InstanceType<typeof OpenAI.APIError>).status).toBe(402);
    expect((viaCompletions as Error).message).toBe((viaChat as Error).message);
    expect(legacy.requests.length).toBe(requests);
  });

  it("answers 400 in OpenRouter's envelope naming the field, and 401 without a key", async () => {
    const post = (body: unknown, key: string | null = h.key) =>
      fetch(`${h.url}/api/v1/completions`, {
        method: "POST",
        headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const cases: [unknown, RegExp][] = [
      [{ model: "test/text-chat", prompt: [1, 2, 3] }, /prompt.*token ids are not supported/],
      [{ model: "test/text-chat", prompt: ["a", "b"] }, /prompt.*one prompt per request/],
      [{ model: "test/text-chat" }, /Invalid prompt/],
      [{ model: "test/text-chat", prompt: "x", n: 2 }, /Invalid n: only n: 1/],
      [{ model: "test/text-chat", prompt: "x", logprobs: 99 }, /Invalid logprobs/],
      [{ model: "test/text-chat", prompt: "x", temperature: 7 }, /Invalid temperature/],
      [[], /JSON object/],
    ];
    for (const [body, message] of cases) {
      const response = await post(body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      const envelope = (await response.json()) as { error: { code: number; message: string } };
      expect(envelope.error.code).toBe(400);
      expect(envelope.error.message).toMatch(message);
    }
    expect((await post({ model: "test/text-chat", prompt: "x" }, null)).status).toBe(401);
    const viaSdk = await openai.completions.create({ model: "test/text-chat", prompt: [[1, 2]] }).catch((e: unknown) => e);
    expect(viaSdk).toBeInstanceOf(OpenAI.BadRequestError);
  });

  it("accepts a list holding one prompt", async () => {
    h.alpha.setScript({ text: "ok" });
    const answer = await openai.completions.create({ model: "test/text-chat", prompt: ["only one"], max_tokens: 5 });
    expect(answer.choices[0]!.text).toBe("ok");
    expect(h.alpha.lastRequest().body).toMatchObject({ messages: [{ role: "user", content: "only one" }] });
  });
});
