/**
 * Embeddings through the real server and the unmodified `openai` SDK (`embeddings.create`, which
 * asks for base64 by default and decodes it), routed to OpenAI-compatible and Gemini fake
 * upstreams: billed per input token at the serving endpoint's integer price + 5% on the same
 * pipeline as chat (hold, charge, generation record, fallback, 402), listed by
 * /embeddings/models and kept apart from chat in both directions.
 */
import { sql } from "drizzle-orm";
import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.js";
import { FEE_BPS, startHarness, type Harness } from "../gateway/harness.js";
import { dbKinds } from "../support/db.js";
import { FAKE_EMBEDDING_DIMENSIONS, fakeVector, startFakeGemini, type FakeUpstream } from "../support/fake-upstreams/index.js";

const ceil = (n: bigint, d: bigint) => (n + d - 1n) / d;
/** Independent arithmetic of the charge rule for input tokens only: ceil(tokens × price / 1e6) + ceil 5% fee. */
function expectedCharge(promptTokens: number, promptNanoPerMillion: bigint): bigint {
  const base = ceil(BigInt(promptTokens) * promptNanoPerMillion, 1_000_000n);
  return base + ceil(base * BigInt(FEE_BPS), 10_000n);
}
/** Embedding prices (USD per token): $0.153/M on alpha, $1/M on beta, $0.15/M on Gemini. */
const ALPHA_EMBED = { prompt: "0.000000153", completion: "0" };
const BETA_EMBED = { prompt: "0.000001", completion: "0" };
const GEMINI_EMBED = { prompt: "0.00000015", completion: "0" };

type ApiError = InstanceType<typeof OpenAI.APIError>;
const failure = async (promise: Promise<unknown>): Promise<ApiError> => {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(OpenAI.APIError);
  return error as ApiError;
};
type WireUsage = { prompt_tokens: number; total_tokens: number; cost: number; is_byok: boolean; cost_details: Record<string, unknown> };

function embeddingModels(geminiProvider: string): NonNullable<Parameters<typeof startHarness>[0]>["extraModels"] {
  return [
    {
      id: "test/embed",
      kind: "embeddings",
      context_length: 8_192,
      endpoints: [
        { provider: "alpha", model: "alpha-embed", pricing: ALPHA_EMBED },
        { provider: "beta", model: "beta-embed", pricing: BETA_EMBED },
      ],
    },
    { id: "test/gemini-embed", kind: "embeddings", context_length: 2_048, endpoints: [{ provider: geminiProvider, model: "gem-embed", pricing: GEMINI_EMBED }] },
    // the Anthropic endpoint is the cheapest, but Anthropic's API has no embeddings: routing skips it
    {
      id: "test/mixed-embed",
      kind: "embeddings",
      context_length: 8_192,
      endpoints: [
        { provider: "anth", model: "claude-embed", pricing: { prompt: "0.0000000001", completion: "0" } },
        { provider: "beta", model: "beta-embed", pricing: BETA_EMBED },
      ],
    },
    { id: "test/anthropic-embed", kind: "embeddings", context_length: 8_192, endpoints: [{ provider: "anth", model: "claude-embed", pricing: ALPHA_EMBED }] },
  ];
}

async function startEmbeddingHarness(kind: (typeof dbKinds)[number], gemini: FakeUpstream, balanceUsd?: string): Promise<Harness> {
  return startHarness({
    kind,
    ...(balanceUsd !== undefined ? { balanceUsd } : {}),
    extraProviders: {
      gem: { protocol: "gemini", base_url: gemini.url, api_key: "gemini-key", name: "Gem", headers: {} },
      anth: { protocol: "anthropic", base_url: "http://127.0.0.1:9", api_key: "anthropic-key", name: "Anth", headers: {} },
    },
    extraModels: embeddingModels("gem"),
  });
}

describe.each(dbKinds)("POST /api/v1/embeddings (%s)", (kind) => {
  let h: Harness;
  let gemini: FakeUpstream;
  let openai: OpenAI;
  let startBalance: bigint;
  const debited = async () => startBalance - (await h.balanceNano());
  const generation = async (id: string) => {
    const response = await fetch(`${h.url}/api/v1/generation?id=${id}`, { headers: { authorization: `Bearer ${h.key}` } });
    expect(response.status).toBe(200);
    return ((await response.json()) as { data: Record<string, unknown> }).data;
  };

  beforeAll(async () => {
    gemini = await startFakeGemini();
    h = await startEmbeddingHarness(kind, gemini);
    openai = h.client();
  });
  afterAll(async () => {
    await h.close();
    await gemini.close();
  });
  beforeEach(async () => {
    h.alpha.setScript({});
    h.beta.setScript({});
    gemini.setScript({});
    startBalance = await h.balanceNano();
  });
  afterEach(async () => {
    expect(await h.settledAudit()).toEqual({ ok: true, problems: [] });
    expect(await h.openHolds()).toBe(0);
  });

  it("embeds through the openai SDK (base64 by default), debits the integer price × input tokens + 5%, and records the generation", async () => {
    const texts = ["The quick brown fox", "jumps over the lazy dog"];
    const { data, response } = await openai.embeddings.create({ model: "test/embed", input: texts }).withResponse();
    expect(data.object).toBe("list");
    expect(data.model).toBe("test/embed");
    // the SDK asked for base64 and decoded it: exactly the upstream's float vectors
    expect(data.data.map((entry) => entry.embedding)).toEqual(texts.map((text) => fakeVector(text)));
    expect(data.data.map((entry) => entry.index)).toEqual([0, 1]);
    const upstream = h.alpha.lastRequest();
    expect(upstream.url).toBe("/v1/embeddings");
    expect(upstream.body).toEqual({ model: "alpha-embed", input: texts, encoding_format: "float" });
    expect(upstream.headers.authorization).toBe("Bearer alpha-key");

    // the fake reports ceil(19/4) + ceil(23/4) = 11 input tokens; 11 × 153 nano = 1,683 base, fee ceil(84.15) = 85
    const charge = expectedCharge(11, 153_000_000n);
    expect(charge).toBe(1_768n);
    const usage = data.usage as unknown as WireUsage;
    expect(usage).toMatchObject({ prompt_tokens: 11, total_tokens: 11, cost: 0.000001768, is_byok: false });
    expect(usage.cost_details).toEqual({ upstream_inference_cost: 0.000001683, upstream_inference_prompt_cost: 0.000001683, upstream_inference_completions_cost: 0 });
    await h.chat.gateway.drain();
    expect(await debited()).toBe(charge);

    const id = response.headers.get("x-generation-id")!;
    expect(id).toBe((data as unknown as { id: string }).id);
    const entries = await queryRows<{ kind: string; amount: string }>(
      h.database.db,
      sql`select kind, amount_nano::text as amount from ledger_entries where account_id = ${h.accountId} and metadata->>'generation_id' = ${id} order by id`,
    );
    expect(entries.map((entry) => [entry.kind, BigInt(entry.amount) < 0n ? -BigInt(entry.amount) : BigInt(entry.amount)])).toEqual([
      ["usage", 1_683n],
      ["fee", 85n],
    ]);
    expect(await generation(id)).toMatchObject({
      id,
      model: "test/embed",
      provider_name: "Alpha",
      tokens_prompt: 11,
      tokens_completion: 0,
      total_cost: 0.000001768,
      streamed: false,
    });
    expect(await h.chat.generations.find(id, h.accountId)).toMatchObject({ usageEstimated: false, promptTokens: 11, completionTokens: 0, feeNano: 85n, totalNano: 1_768n });

    // and in the account's analytics, like any request
    const activity = await fetch(`${h.url}/api/v1/activity?group_by=model`, { headers: { authorization: `Bearer ${h.managementKey}` } });
    expect(activity.status).toBe(200);
    const rows = ((await activity.json()) as { data: Record<string, unknown>[] }).data.filter((row) => row.model === "test/embed");
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.reduce((sum, row) => sum + Number(row.prompt_tokens), 0)).toBeGreaterThanOrEqual(11);
  });

  it("answers floats when asked, and base64 as little-endian float32 bytes", async () => {
    const floats = await openai.embeddings.create({ model: "test/embed", input: "Hello", encoding_format: "float" });
    expect(floats.data[0]!.embedding).toEqual(fakeVector("Hello"));

    const response = await fetch(`${h.url}/v1/embeddings`, {
      method: "POST",
      headers: { authorization: `Bearer ${h.key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "test/embed", input: ["Hello"], encoding_format: "base64" }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data: { embedding: string }[] };
    const bytes = Buffer.from(body.data[0]!.embedding, "base64");
    expect(bytes.length).toBe(FAKE_EMBEDDING_DIMENSIONS * 4);
    const decoded = Array.from({ length: FAKE_EMBEDDING_DIMENSIONS }, (_, index) => bytes.readFloatLE(index * 4));
    expect(decoded).toEqual(fakeVector("Hello"));
  });

  it("passes token-id input and `dimensions` to an OpenAI-compatible upstream", async () => {
    const data = await openai.embeddings.create({ model: "test/embed", input: [[1, 2, 3], [4, 5]], dimensions: 3 });
    expect(h.alpha.lastRequest().body).toEqual({ model: "alpha-embed", input: [[1, 2, 3], [4, 5]], encoding_format: "float", dimensions: 3 });
    expect(data.data.map((entry) => entry.embedding)).toEqual([fakeVector([1, 2, 3], 3), fakeVector([4, 5], 3)]);
    expect(data.usage.prompt_tokens).toBe(5);
  });

  it("embeds on Gemini with batchEmbedContents and outputDimensionality, billed on the estimate Gemini leaves to farebox", async () => {
    const texts = ["abcdefgh", "abcdefghijkl"];
    const { data, response } = await openai.embeddings.create({ model: "test/gemini-embed", input: texts, dimensions: 4 }).withResponse();
    expect(data.data.map((entry) => entry.embedding)).toEqual(texts.map((text) => fakeVector(text, 4)));
    const upstream = gemini.lastRequest();
    expect(upstream.url).toBe("/v1beta/models/gem-embed:batchEmbedContents");
    expect(upstream.headers["x-goog-api-key"]).toBe("gemini-key");
    expect(upstream.body).toEqual({
      requests: texts.map((text) => ({ model: "models/gem-embed", content: { parts: [{ text }] }, outputDimensionality: 4 })),
    });
    // no usage from Gemini: 8/4 + 12/4 = 5 estimated input tokens × 150 nano = 750 nano base, fee ceil(37.5) = 38
    const charge = expectedCharge(5, 150_000_000n);
    expect(data.usage.prompt_tokens).toBe(5);
    expect(charge).toBe(788n);
    expect((data.usage as unknown as WireUsage).cost).toBe(0.000000788);
    await h.chat.gateway.drain();
    expect(await debited()).toBe(charge);
    const id = response.headers.get("x-generation-id")!;
    expect(await h.chat.generations.find(id, h.accountId)).toMatchObject({ usageEstimated: true, promptTokens: 5, completionTokens: 0, provider: "gem" });
  });

  it("falls back to the next endpoint before answering, billed at the serving endpoint's price", async () => {
    h.alpha.setScript({ error: { status: 500 } });
    // within the reservation (3 tokens estimated, held as 3 × 1.5 + 32 = 37): more would be capped there
    h.beta.setScript({ usage: { prompt: 30, completion: 0 } });
    const { data, response } = await openai.embeddings.create({ model: "test/embed", input: "fall back" }).withResponse();
    expect(data.data[0]!.embedding).toEqual(fakeVector("fall back"));
    expect(h.beta.lastRequest().body).toMatchObject({ model: "beta-embed" });
    const charge = expectedCharge(30, 1_000_000_000n);
    expect((data.usage as unknown as WireUsage).cost).toBe(Number(charge) / 1e9);
    await h.chat.gateway.drain();
    expect(await debited()).toBe(charge);
    const record = await generation(response.headers.get("x-generation-id")!);
    expect(record).toMatchObject({ provider_name: "Beta", tokens_prompt: 30 });
    expect(record.provider_responses).toEqual([
      expect.objectContaining({ provider_name: "Alpha", status: 500 }),
      expect.objectContaining({ provider_name: "Beta", status: 200 }),
    ]);
  });

  it("skips endpoints whose API has no embeddings (Anthropic), and says so when no other is left", async () => {
    const data = await openai.embeddings.create({ model: "test/mixed-embed", input: "skip" });
    expect(data.data[0]!.embedding).toEqual(fakeVector("skip"));
    expect(h.beta.lastRequest().url).toBe("/v1/embeddings");
    const refused = await failure(openai.embeddings.create({ model: "test/anthropic-embed", input: "nowhere" }));
    expect(refused.status).toBe(404);
    expect(refused.message).toContain("Anth");
    await h.chat.gateway.drain();
  });

  it("an upstream's refusal with no other endpoint reaches the client with nothing charged", async () => {
    gemini.setScript({ error: { status: 400, message: "outputDimensionality is too large" } });
    const refused = await failure(openai.embeddings.create({ model: "test/gemini-embed", input: "x", dimensions: 5_000 }));
    expect(refused.status).toBe(400);
    expect(refused.message).toContain("outputDimensionality is too large");
    await h.chat.gateway.drain();
    expect(await debited()).toBe(0n);
    const failed = await queryRows<{ status: number | null; total: string }>(
      h.database.db,
      sql`select error_status as status, total_nano::text as total from generations where account_id = ${h.accountId} and requested_model = 'test/gemini-embed' order by created_at desc limit 1`,
    );
    expect(failed).toEqual([{ status: 400, total: "0" }]);
  });

  it("keeps chat and embedding models apart with a clear 400 either way", async () => {
    const chatToEmbedding = await failure(openai.chat.completions.create({ model: "test/embed", messages: [{ role: "user", content: "hi" }], max_tokens: 5 }));
    expect(chatToEmbedding.status).toBe(400);
    expect(chatToEmbedding.message).toContain("test/embed is an embedding model");
    const embeddingToChat = await failure(openai.embeddings.create({ model: "test/chat", input: "hi" }));
    expect(embeddingToChat.status).toBe(400);
    expect(embeddingToChat.message).toContain("test/chat is not an embedding model");
    expect(h.alpha.requests.filter((request) => (request.body as { input?: unknown } | undefined)?.input === "hi")).toHaveLength(0);
    await h.chat.gateway.drain();
    expect(await debited()).toBe(0n);
  });

  it("answers bad input with a 400 in OpenRouter's envelope naming the field", async () => {
    const post = async (body: unknown) => {
      const response = await fetch(`${h.url}/api/v1/embeddings`, {
        method: "POST",
        headers: { authorization: `Bearer ${h.key}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as { error: { code: number; message: string } } };
    };
    const sentBefore = h.alpha.requests.length + h.beta.requests.length;
    const cases: [unknown, RegExp][] = [
      [{ model: "test/embed" }, /input/],
      [{ model: "test/embed", input: "" }, /input/],
      [{ model: "test/embed", input: [] }, /input/],
      [{ model: "test/embed", input: [1.5] }, /input/],
      [{ model: "test/embed", input: [{ content: [{ type: "image_url", image_url: { url: "https://x/y.png" } }] }] }, /multimodal/],
      [{ model: "test/embed", input: "x", dimensions: 0 }, /dimensions/],
      [{ model: "test/embed", input: "x", encoding_format: "hex" }, /encoding_format/],
      [{ input: "x" }, /model/],
      [{ model: "test/embed", input: "x", user: "nul\u0000byte" }, /user/],
      [{ model: "test/embed", input: Array.from({ length: 2049 }, () => "x") }, /at most 2048/],
      [[1, 2], /JSON object/],
    ];
    for (const [body, message] of cases) {
      const answer = await post(body);
      expect(answer.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(answer.body.error.code).toBe(400);
      expect(answer.body.error.message).toMatch(message);
    }
    const unauthenticated = await fetch(`${h.url}/api/v1/embeddings`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(unauthenticated.status).toBe(401);
    expect(h.alpha.requests.length + h.beta.requests.length).toBe(sentBefore);
  });

  it("lists embedding models at /embeddings/models and keeps them out of /models", async () => {
    const listed = (await (await fetch(`${h.url}/api/v1/embeddings/models`)).json()) as { data: Record<string, unknown>[] };
    const ids = listed.data.map((model) => model.id);
    expect(ids).toEqual(expect.arrayContaining(["test/embed", "test/gemini-embed", "test/mixed-embed"]));
    expect(ids).not.toContain("test/chat");
    const embed = listed.data.find((model) => model.id === "test/embed")!;
    expect(embed.architecture).toMatchObject({ output_modalities: ["embeddings"], input_modalities: ["text"] });
    expect(embed.pricing).toMatchObject({ prompt: ALPHA_EMBED.prompt, completion: "0" });
    const models = (await (await fetch(`${h.url}/api/v1/models`)).json()) as { data: { id: string }[] };
    expect(models.data.map((model) => model.id)).toContain("test/chat");
    expect(models.data.map((model) => model.id)).not.toContain("test/embed");
    const page = (await (await fetch(`${h.url}/v1/embeddings/models?offset=1&limit=1`)).json()) as { data: unknown[]; total_count: number };
    expect(page.data).toHaveLength(1);
    expect(page.total_count).toBe(listed.data.length);
  });
});

describe("embeddings without the balance to cover them", () => {
  it("402 naming what the input costs and what is available, with nothing held, sent or charged", async () => {
    const gemini = await startFakeGemini();
    const poor = await startEmbeddingHarness("pglite", gemini, "0.00001");
    try {
      // 4,000 characters: 1,000 tokens estimated, held as 1,000 × 1.5 + 32 = 1,532 at beta's $1/M = 1,532,000 nano + fee
      const refused = await failure(poor.client().embeddings.create({ model: "test/embed", input: "x".repeat(4_000) }));
      expect(refused.status).toBe(402);
      expect(refused.message).toMatch(/requires more credits\. This request's 1532 input tokens .* cost up to \$0\.0016086, but only \$0\.00001 is available/);
      expect(refused.error).toMatchObject({ metadata: { reason: "insufficient_balance", prompt_tokens: 1_532, model: "test/embed" } });
      expect(poor.alpha.requests).toHaveLength(0);
      expect(poor.beta.requests).toHaveLength(0);
      expect(await poor.settledAudit()).toEqual({ ok: true, problems: [] });
      expect(await poor.openHolds()).toBe(0);
      expect(await poor.balanceNano()).toBe(10_000n);
    } finally {
      await poor.close();
      await gemini.close();
    }
  });
});

describe("embeddings on the account's own key (BYOK), with no balance at all", () => {
  it("is served on that key with nothing debited, the list price stated as the upstream's cost", async () => {
    const h = await startHarness({
      balanceUsd: "0",
      byok: { feeBps: 0 },
      extraModels: [{ id: "test/gamma-embed", kind: "embeddings", context_length: 8_192, endpoints: [{ provider: "gamma", model: "gamma-embed", pricing: BETA_EMBED }] }],
    });
    try {
      const stored = await fetch(`${h.url}/api/v1/byok/gamma`, {
        method: "PUT",
        headers: { authorization: `Bearer ${h.managementKey}`, "content-type": "application/json" },
        body: JSON.stringify({ api_key: "sk-gamma-OWN-embed-1234" }),
      });
      expect(stored.status).toBe(200);
      h.gamma!.setScript({ usage: { prompt: 20, completion: 0 } });
      const { data, response } = await h.client().embeddings.create({ model: "test/gamma-embed", input: "my own key pays" }).withResponse();
      expect(data.data[0]!.embedding).toEqual(fakeVector("my own key pays"));
      expect(h.gamma!.lastRequest().headers.authorization).toBe("Bearer sk-gamma-OWN-embed-1234");
      const usage = data.usage as unknown as WireUsage;
      // 20 tokens × $1/M = 20,000 nano billed by the provider to the account's key; fee 0%
      expect(usage).toMatchObject({ prompt_tokens: 20, cost: 0, is_byok: true });
      expect(usage.cost_details.upstream_inference_cost).toBe(0.00002);
      await h.chat.gateway.drain();
      expect(await h.balanceNano()).toBe(0n);
      expect(await h.chat.generations.find(response.headers.get("x-generation-id")!, h.accountId)).toMatchObject({ isByok: true, upstreamCostNano: 20_000n, totalNano: 0n });
      expect(await h.settledAudit()).toEqual({ ok: true, problems: [] });
      expect(await h.openHolds()).toBe(0);
    } finally {
      await h.close();
    }
  });
});
