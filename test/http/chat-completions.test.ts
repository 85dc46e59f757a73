import { createHmac } from "node:crypto";
import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { queryRows } from "../../src/db/client.js";
import { startHarness, type Harness } from "../gateway/harness.js";
import { createAccountViaAdmin } from "../support/app.js";

/** Independent arithmetic of the charge rule: ceil per class, ceil 5% fee. */
function expectedCharge(prompt: number, completion: number, promptNanoPerM: bigint, completionNanoPerM: bigint): bigint {
  const ceil = (n: bigint, d: bigint) => (n + d - 1n) / d;
  const base = ceil(BigInt(prompt) * promptNanoPerM, 1_000_000n) + ceil(BigInt(completion) * completionNanoPerM, 1_000_000n);
  return base + ceil(base * 500n, 10_000n);
}
const ALPHA = { prompt: 153_000_000n, completion: 611_000_000n };

let h: Harness;
let openai: OpenAI;
let startBalance: bigint;

beforeAll(async () => {
  h = await startHarness({ keepAliveMs: 50 });
  openai = h.client();
});
afterAll(async () => h.close());
beforeEach(async () => {
  h.alpha.setScript({});
  h.beta.setScript({});
  startBalance = await h.balanceNano();
});
afterEach(async () => {
  expect(await h.settledAudit()).toEqual({ ok: true, problems: [] });
  expect(await h.openHolds()).toBe(0);
});

const debited = async () => startBalance - (await h.balanceNano());

describe("non-stream", () => {
  it("answers through the openai SDK and debits exactly the integer price × usage + 5%", async () => {
    h.alpha.setScript({ text: "Hi there", usage: { prompt: 12, completion: 7 } });
    const { data, response } = await openai.chat.completions
      .create({ model: "test/chat", messages: [{ role: "user", content: "Hello" }], max_tokens: 50 })
      .withResponse();
    expect(data.choices[0]!.message.content).toBe("Hi there");
    expect(data.model).toBe("test/chat");
    const extra = data as unknown as { provider: string; usage: { cost: number; is_byok: boolean; cost_details: Record<string, unknown> } };
    expect(extra.provider).toBe("Alpha");
    expect(h.alpha.lastRequest().body).toMatchObject({ model: "alpha-chat", max_tokens: 50 });
    await h.chat.gateway.drain();
    const charge = expectedCharge(12, 7, ALPHA.prompt, ALPHA.completion);
    expect(charge).toBe(6_419n); // 1,836 + 4,277 = 6,113 base; fee ceil(305.65) = 306
    expect(await debited()).toBe(charge);
    expect(extra.usage.cost).toBe(0.000006419);
    expect(extra.usage.is_byok).toBe(false);
    expect(extra.usage.cost_details).toMatchObject({ upstream_inference_prompt_cost: 0.000001836, upstream_inference_completions_cost: 0.000004277 });
    const generationId = response.headers.get("x-generation-id")!;
    expect(generationId).toBe(data.id);
    expect(generationId).toMatch(/^gen-\d+-[A-Za-z0-9]{20}$/);

    const generation = await fetch(`${h.url}/api/v1/generation?id=${generationId}`, { headers: { authorization: `Bearer ${h.key}` } });
    const body = (await generation.json()) as { data: Record<string, unknown> };
    expect(body.data).toMatchObject({ id: generationId, model: "test/chat", provider_name: "Alpha", tokens_prompt: 12, tokens_completion: 7, total_cost: 0.000006419, streamed: false, finish_reason: "stop" });
    expect(body.data.provider_responses).toEqual([expect.objectContaining({ provider_name: "Alpha", status: 200 })]);
  });

  it("shows a generation to its account right after the answer, before its charge is written", async () => {
    h.alpha.setScript({ text: "Quick", usage: { prompt: 5, completion: 2 } });
    const data = await openai.chat.completions.create({ model: "test/chat", messages: [{ role: "user", content: "Hello" }], max_tokens: 20 });
    const lookup = async (key: string) => {
      const response = await fetch(`${h.url}/api/v1/generation?id=${data.id}`, { headers: { authorization: `Bearer ${key}` } });
      return { status: response.status, body: (await response.json()) as { data?: Record<string, unknown> } };
    };
    const stored = async () =>
      Number((await queryRows<{ n: string }>(h.database.db, sql`select count(*)::text as n from generations where id = ${data.id}`))[0]!.n);
    expect(await stored()).toBe(0);
    const early = await lookup(h.key);
    expect(early.status).toBe(200);
    expect(early.body.data).toMatchObject({ id: data.id, tokens_prompt: 5, tokens_completion: 2, streamed: false });
    const stranger = await createAccountViaAdmin(h.url);
    const created = await fetch(`${h.url}/api/v1/keys`, {
      method: "POST",
      headers: { authorization: `Bearer ${stranger.managementKey}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "stranger" }),
    });
    expect((await lookup(((await created.json()) as { key: string }).key)).status).toBe(404);
    await h.chat.gateway.drain();
    expect(await stored()).toBe(1);
    expect(await lookup(h.key)).toEqual(early);
  });

  it("an upstream that reports no usage is billed on an estimate, not for free", async () => {
    h.alpha.setScript({ text: "x".repeat(40), omitUsage: true });
    const data = await openai.chat.completions.create({ model: "test/chat", messages: [{ role: "user", content: "Hello" }], max_tokens: 50 });
    expect(data.usage!.completion_tokens).toBe(10);
    await h.chat.gateway.drain();
    expect(await debited()).toBeGreaterThan(0n);
    expect(await h.chat.generations.find(data.id, h.accountId)).toMatchObject({ usageEstimated: true, completionTokens: 10 });
  });

  it("returns tool calls", async () => {
    h.alpha.setScript({ toolCalls: [{ id: "call_1", name: "get_weather", arguments: { city: "Paris" } }] });
    const data = await openai.chat.completions.create({
      model: "test/chat",
      messages: [{ role: "user", content: "Weather in Paris?" }],
      tools: [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }],
      max_tokens: 100,
    });
    expect(data.choices[0]!.finish_reason).toBe("tool_calls");
    const call = data.choices[0]!.message.tool_calls![0]! as { function: { name: string; arguments: string } };
    expect(call.function.name).toBe("get_weather");
    expect(JSON.parse(call.function.arguments)).toEqual({ city: "Paris" });
    expect((h.alpha.lastRequest().body as { tools: unknown[] }).tools).toHaveLength(1);
  });
});

describe("auto routing", () => {
  it("passes the end user upstream only as a hash keyed by the paying account", async () => {
    const data = await openai.chat.completions.create({ model: "test/chat", messages: [{ role: "user", content: "Hello" }], user: "alice@example.com" });
    expect(data.choices[0]!.message.content).toBeTruthy();
    const sent = h.alpha.lastRequest().body as { user?: string };
    expect(sent.user).toBe(createHmac("sha256", h.accountId).update("alice@example.com").digest("hex"));
    expect(JSON.stringify(sent)).not.toContain("alice");
    // the account itself sees the raw value on its own generation record
    await h.chat.gateway.drain();
    const generation = await fetch(`${h.url}/api/v1/generation?id=${data.id}`, { headers: { authorization: `Bearer ${h.key}` } });
    expect(((await generation.json()) as { data: { external_user: string } }).data.external_user).toBe("alice@example.com");
  });

  it("farebox/auto picks the cheapest model that can serve, and the response names it", async () => {
    h.alpha.setScript({ text: "auto" });
    const data = await openai.chat.completions.create({ model: "farebox/auto", messages: [{ role: "user", content: "x" }], max_tokens: 5 });
    expect(data.model).toBe("test/alpha-only");
    const withTools = await openai.chat.completions.create({
      model: "openrouter/auto",
      messages: [{ role: "user", content: "x" }],
      max_tokens: 5,
      tools: [{ type: "function", function: { name: "f", parameters: { type: "object" } } }],
    });
    expect(withTools.model).toBe("test/chat");
  });
});

describe("supported parameters of a model added in the config", () => {
  const tool = { type: "function" as const, function: { name: "f", parameters: { type: "object" } } };

  it("default to what its protocol's adapter sends, so tool calls reach a new OpenAI-compatible model", async () => {
    h.beta.setScript({ text: "ok" });
    await openai.chat.completions.create({ model: "test/backup", messages: [{ role: "user", content: "x" }], max_tokens: 5, tools: [tool], seed: 3 });
    const body = h.beta.lastRequest().body as { tools?: unknown[]; seed?: number };
    expect(body.tools).toHaveLength(1);
    expect(body.seed).toBe(3);
  });

  it("name the setting that would change it when routing filters every endpoint out", async () => {
    const error = await openai.chat.completions
      .create({ model: "test/alpha-only", messages: [{ role: "user", content: "x" }], max_tokens: 5, tools: [tool] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as Error).message).toMatch(/support tool use.*models\[\]\.supported_parameters/);
  });
});

describe("errors surface as the SDK's error classes", () => {
  it("401 for a wrong key", async () => {
    const bad = h.client({ apiKey: "sk-fb-v1-wrong" });
    await expect(bad.chat.completions.create({ model: "test/chat", messages: [{ role: "user", content: "x" }] })).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it("404 for an unknown model", async () => {
    const error = await openai.chat.completions.create({ model: "nobody/none", messages: [{ role: "user", content: "x" }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as InstanceType<typeof OpenAI.NotFoundError>).message).toMatch(/not in this farebox catalog/);
  });

  it("404 no endpoints naming the provider key to configure, which the openai SDK does not retry", async () => {
    let calls = 0;
    const retrying = new OpenAI({
      baseURL: `${h.url}/api/v1`,
      apiKey: h.key,
      maxRetries: 2,
      fetch: async (input, init) => {
        calls += 1;
        return fetch(input, init);
      },
    });
    const error = await retrying.chat.completions.create({ model: "test/unconfigured", messages: [{ role: "user", content: "x" }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({
      metadata: { availability: { code: "no_endpoints", retryable: false, settings: ["providers.unset.api_key"] } },
    });
    expect((error as Error).message).toMatch(/providers\.unset\.api_key/);
    expect(calls).toBe(1);
  });

  it("400 for a malformed body", async () => {
    const error = await openai.chat.completions.create({ model: "test/chat", messages: [] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
  });

  it("402 when the key's spending limit cannot cover the worst case", async () => {
    const created = await fetch(`${h.url}/api/v1/keys`, {
      method: "POST",
      headers: { authorization: `Bearer ${h.managementKey}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "tiny", limit: 0.00005, limit_reset: "daily" }),
    });
    const { key } = (await created.json()) as { key: string };
    const limited = h.client({ apiKey: key });
    const refused = await limited.chat.completions.create({ model: "test/backup", messages: [{ role: "user", content: "x" }], max_tokens: 1_000 }).catch((e: unknown) => e);
    expect((refused as InstanceType<typeof OpenAI.APIError>).status).toBe(402);
    expect((refused as Error).message).toMatch(/key's spending limit.*can only afford \d+/);
    h.alpha.setScript({});
    const ok = await limited.chat.completions.create({ model: "test/alpha-only", messages: [{ role: "user", content: "x" }], max_tokens: 10 });
    expect(ok.choices[0]!.message.content).toBeTruthy();
  });

  it("402 saying how many output tokens the balance can afford, with nothing held or charged", async () => {
    const error = await openai.chat.completions
      .create({ model: "test/chat", messages: [{ role: "user", content: "x" }], max_tokens: 10_000_000 } as never)
      .catch((e: unknown) => e);
    // max_tokens beyond every endpoint's output limit is a routing 404; ask within limits but beyond the balance:
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(404);
    const poor = await startHarness({ balanceUsd: "0.0001" });
    try {
      const refused = await poor.client().chat.completions.create({ model: "test/backup", messages: [{ role: "user", content: "x" }], max_tokens: 1_000 }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(OpenAI.APIError);
      expect((refused as InstanceType<typeof OpenAI.APIError>).status).toBe(402);
      // Prompt estimate 6 tokens, held as 6 × 1.5 + 32 = 41 at $1/M = 41,000 nano; $0.0001 = 100,000 nano
      // covers base ≤ 95,238 after the 5% fee → (95,238 − 41,000) / 2,000 per token = 27 output tokens.
      expect((refused as Error).message).toMatch(/You requested up to 1000 tokens, but can only afford 27\./);
      expect(poor.beta.requests).toHaveLength(0);
      expect(await poor.settledAudit()).toEqual({ ok: true, problems: [] });
      expect(await poor.openHolds()).toBe(0);
    } finally {
      await poor.close();
    }
  });
});
