/**
 * The shipped catalog (built from the price database, which publishes neither input modalities
 * nor output limits) serves real requests: the `openai` SDK against the real server, with the
 * shipped `openai`, `anthropic` and `google` providers pointed at fake upstreams. An image reaches
 * gpt-5.5, Claude Opus 4.7 and Gemini 3.1 Pro (their modalities are unknown, so the upstream
 * decides); "hi" without max_tokens on a 1M-context model is held for the bounded default output,
 * not the context window, and that bound reaches the upstream so the answer cannot cost more.
 */
import OpenAI from "openai";
import type { ChatCompletion } from "openai/resources/chat/completions";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startFakeAnthropic, startFakeGemini, startFakeOpenAI, type FakeUpstream } from "../support/fake-upstreams/index.js";
import { ALPHA_PRICE, BETA_PRICE, startHarness, type Harness } from "../gateway/harness.js";

type Json = Record<string, unknown>;
const PNG = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
const imageMessage = [{ role: "user", content: [{ type: "text", text: "What is this?" }, { type: "image_url", image_url: { url: PNG } }] }];

let fakeOpenAI: FakeUpstream;
let fakeAnthropic: FakeUpstream;
let fakeGemini: FakeUpstream;
let h: Harness;

const shippedProviders = () => ({
  openai: { protocol: "openai" as const, base_url: `${fakeOpenAI.url}/v1`, api_key: "openai-key", headers: {} },
  anthropic: { protocol: "anthropic" as const, base_url: fakeAnthropic.url, api_key: "anthropic-key", headers: {} },
  google: { protocol: "gemini" as const, base_url: fakeGemini.url, api_key: "google-key", headers: {} },
});

beforeAll(async () => {
  [fakeOpenAI, fakeAnthropic, fakeGemini] = await Promise.all([startFakeOpenAI(), startFakeAnthropic(), startFakeGemini()]);
  // $5: far less than the $30+ a hold at gpt-5.5's whole 1M-token context would need
  h = await startHarness({
    includeDefault: true,
    balanceUsd: "5",
    extraProviders: shippedProviders(),
    extraModels: [
      {
        id: "test/mixed-vision",
        context_length: 100_000,
        max_completion_tokens: 1_000,
        endpoints: [
          // the cheaper endpoint states no modalities; the dearer one states that it reads images
          { provider: "alpha", model: "alpha-vision", pricing: ALPHA_PRICE },
          { provider: "beta", model: "beta-vision", pricing: BETA_PRICE, input_modalities: ["text", "image"] },
        ],
      },
      // a small local model whose output limit nobody states
      { id: "test/small-local", context_length: 4_000, endpoints: [{ provider: "alpha", model: "alpha-small", pricing: ALPHA_PRICE }] },
    ],
  });
});
afterAll(async () => {
  await h?.close();
  await Promise.all([fakeOpenAI?.close(), fakeAnthropic?.close(), fakeGemini?.close()]);
});
afterEach(async () => {
  expect(await h.settledAudit()).toEqual({ ok: true, problems: [] });
  expect(await h.openHolds()).toBe(0);
});

const chat = (client: OpenAI, body: Json) => client.chat.completions.create(body as never) as unknown as Promise<ChatCompletion & Json>;

describe("images to shipped models whose modalities no source states", () => {
  it("reach gpt-5.5, claude-opus-4.7 and gemini-3.1-pro instead of a 404", async () => {
    const openai = h.client();
    const cases: [string, FakeUpstream, (body: Json) => boolean][] = [
      ["openai/gpt-5.5", fakeOpenAI, (b) => JSON.stringify(b.messages).includes(PNG)],
      ["anthropic/claude-opus-4.7", fakeAnthropic, (b) => JSON.stringify(b.messages).includes('"type":"image"')],
      ["google/gemini-3.1-pro-preview", fakeGemini, (b) => JSON.stringify(b.contents).includes("inlineData")],
    ];
    for (const [model, fake, carriesImage] of cases) {
      const answer = await chat(openai, { model, messages: imageMessage });
      expect(answer.choices[0]!.message.content, model).toBe("Hello from the fake upstream.");
      expect(carriesImage(fake.lastRequest().body as Json), model).toBe(true);
    }
  });

  it("an endpoint of unknown modalities that refuses the image with a 400 falls back to the model's next endpoint", async () => {
    h.alpha.setScript({ error: { status: 400, message: "Invalid content type. image_url is only supported by certain models." } });
    try {
      const answer = await chat(h.client(), { model: "test/mixed-vision", messages: imageMessage });
      expect(answer.choices[0]!.message.content).toBe("Hello from the fake upstream.");
      expect(answer.provider).toBe("Beta");
      expect(h.alpha.requests.some((r) => (r.body as Json).model === "alpha-vision")).toBe(true);
    } finally {
      h.alpha.setScript({});
    }
  });

  it("/api/v1/models says the modalities are unknown rather than text only", async () => {
    const response = await fetch(`${h.url}/api/v1/models`);
    const models = ((await response.json()) as { data: Json[] }).data;
    const gpt55 = models.find((m) => m.id === "openai/gpt-5.5")!;
    expect(gpt55.architecture).toMatchObject({ input_modalities: ["text"], input_modalities_known: false });
  });
});

describe("OpenAI's own parameters", () => {
  it("the reasoning effort, verbosity and service tier a client asks of gpt-5.5 reach OpenAI", async () => {
    await chat(h.client(), {
      model: "openai/gpt-5.5",
      messages: [{ role: "user", content: "hi" }],
      reasoning: { effort: "high" },
      verbosity: "low",
      service_tier: "flex",
    });
    expect(fakeOpenAI.lastRequest().body).toMatchObject({ reasoning_effort: "high", verbosity: "low", service_tier: "flex" });
  });
});

describe("holds on a 1M-context model without max_tokens", () => {
  it('"hi" on a $5 balance is served, held for the bounded default output, which reaches OpenAI as max_completion_tokens', async () => {
    const before = await h.balanceNano();
    const answer = await chat(h.client(), { model: "openai/gpt-5.5", messages: [{ role: "user", content: "hi" }] });
    expect(answer.choices[0]!.message.content).toBe("Hello from the fake upstream.");
    const sent = fakeOpenAI.lastRequest().body as Json;
    expect(sent.max_completion_tokens).toBe(16_384);
    expect(sent.max_tokens).toBeUndefined();
    expect(await h.settledAudit()).toEqual({ ok: true, problems: [] });
    expect(await h.balanceNano()).toBeLessThan(before);
  });

  it("Claude and Gemini get the same bound as their max output", async () => {
    await chat(h.client(), { model: "anthropic/claude-opus-4.7", messages: [{ role: "user", content: "hi" }] });
    expect((fakeAnthropic.lastRequest().body as Json).max_tokens).toBe(16_384);
    await chat(h.client(), { model: "google/gemini-3.1-pro-preview", messages: [{ role: "user", content: "hi" }] });
    expect((fakeGemini.lastRequest().body as { generationConfig?: Json }).generationConfig?.maxOutputTokens).toBe(16_384);
  });

  it("the bound sent never overflows a small context window with the held prompt", async () => {
    await chat(h.client(), { model: "test/small-local", messages: [{ role: "user", content: "hi" }] });
    // context 4,000 − the prompt held (6 estimated × 1.5 + 32 = 41) = 3,959 (below the 4,096 default)
    expect((h.alpha.lastRequest().body as Json).max_tokens).toBe(3_959);
  });

  it("a client's own max_tokens is sent as given", async () => {
    await chat(h.client(), { model: "openai/gpt-5.5", messages: [{ role: "user", content: "hi" }], max_tokens: 50_000 });
    expect((fakeOpenAI.lastRequest().body as Json).max_completion_tokens).toBe(50_000);
  });

  it("a balance below the bounded hold gets a 402 saying it is held for that bound and how many tokens it affords", async () => {
    const poor = await startHarness({ includeDefault: true, balanceUsd: "0.1", unknownOutputLimitTokens: 8_000, extraProviders: shippedProviders() });
    try {
      const refused = await chat(poor.client(), { model: "openai/gpt-5.5", messages: [{ role: "user", content: "hi" }] }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(OpenAI.APIError);
      expect((refused as InstanceType<typeof OpenAI.APIError>).status).toBe(402);
      // $0.10 covers a base of 95,238,095 nano after the 5% fee; the prompt (estimated 6 tokens, held as
      // 6 × 1.5 + 32 = 41 at $5 per million = 205,000 nano) leaves 95,033,095 at 30,000 per token = 3,167 tokens
      expect((refused as Error).message).toMatch(/Without max_tokens this request is held for up to 8000 output tokens, but can only afford 3167\./);
      expect(await poor.openHolds()).toBe(0);
    } finally {
      await poor.close();
    }
  });
});
