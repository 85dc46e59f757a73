/**
 * Bring-your-own-key through the real server and the `openai` SDK: an account with no balance at
 * all is served on its own key (upstream sees that key, usage.is_byok, the list price as
 * upstream_inference_cost, nothing debited), reaches a provider the operator configured without
 * a key, and gets a 402 when shared capacity or a BYOK fee would have to be paid from credit.
 * Every test ends with the ledger audit green and no open hold.
 */
import { sql } from "drizzle-orm";
import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.js";
import { startHarness, type Harness } from "../gateway/harness.js";
import { TEST_ADMIN_TOKEN } from "../support/app.js";
import { dbKinds } from "../support/db.js";

const GAMMA_KEY = "sk-gamma-ACCOUNTOWN-4242";
const ALPHA_KEY = "sk-alpha-ACCOUNTOWN-9191";
/** BETA_PRICE, which gamma uses: $1 per million prompt tokens, $2 per million completion tokens. */
const listPriceNano = (prompt: number, completion: number) => BigInt(prompt) * 1_000n + BigInt(completion) * 2_000n;
const ceil = (n: bigint, d: bigint) => (n + d - 1n) / d;

type ByokUsage = { cost: number; is_byok: boolean; cost_details: { upstream_inference_cost: number | null } };
type ApiError = InstanceType<typeof OpenAI.APIError>;

async function putKey(h: Harness, provider: string, apiKey: string, alwaysUse = false): Promise<void> {
  const response = await fetch(`${h.url}/api/v1/byok/${provider}`, {
    method: "PUT",
    headers: { authorization: `Bearer ${h.managementKey}`, "content-type": "application/json" },
    body: JSON.stringify({ api_key: apiKey, always_use: alwaysUse }),
  });
  expect(response.status).toBe(200);
}

async function ledger(h: Harness): Promise<{ kind: string; amount: string }[]> {
  return queryRows(h.database.db, sql`select kind, amount_nano::text as amount from ledger_entries where account_id = ${h.accountId} order by id`);
}

async function holds(h: Harness): Promise<{ status: string; amount: string; settled: string | null }[]> {
  return queryRows(
    h.database.db,
    sql`select status, amount_nano::text as amount, settled_nano::text as settled from holds where account_id = ${h.accountId} order by created_at`,
  );
}

const failure = async (promise: Promise<unknown>): Promise<ApiError> => {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(OpenAI.APIError);
  return error as ApiError;
};

const ask = (model: string) => ({ model, messages: [{ role: "user" as const, content: "Hello" }], max_tokens: 100 });

describe.each(dbKinds)("BYOK on an account with no balance (%s), fees.byok_bps = 0", (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ kind, balanceUsd: "0", byok: { feeBps: 0 } });
  });
  afterAll(async () => h.close());
  beforeEach(() => {
    for (const upstream of [h.alpha, h.beta, h.gamma!]) upstream.setScript({});
  });
  afterEach(async () => {
    expect(await h.settledAudit()).toEqual({ ok: true, problems: [] });
    expect(await h.openHolds()).toBe(0);
    expect(await h.balanceNano()).toBe(0n);
  });

  it("a provider without an operator key answers 404 naming what to configure, until the account stores its own key", async () => {
    const refused = await failure(h.client().chat.completions.create(ask("test/gamma-only")));
    expect(refused.status).toBe(404);
    expect(refused.message).toContain("providers.gamma.api_key");
    expect(h.gamma!.requests).toHaveLength(0);

    await putKey(h, "gamma", GAMMA_KEY);
    h.gamma!.setScript({ text: "Served on your key", usage: { prompt: 12, completion: 7 } });
    const data = await h.client().chat.completions.create(ask("test/gamma-only"));
    expect(data.choices[0]!.message.content).toBe("Served on your key");
    expect(h.gamma!.lastRequest().headers.authorization).toBe(`Bearer ${GAMMA_KEY}`);
    const usage = data.usage as unknown as ByokUsage;
    expect(usage.is_byok).toBe(true);
    expect(usage.cost).toBe(0);
    expect(listPriceNano(12, 7)).toBe(26_000n);
    expect(usage.cost_details.upstream_inference_cost).toBe(0.000026);

    await h.chat.gateway.drain();
    expect(await ledger(h)).toEqual([]);
    // a request that can cost nothing reserves nothing
    expect(await holds(h)).toEqual([]);
    const generation = await fetch(`${h.url}/api/v1/generation?id=${data.id}`, { headers: { authorization: `Bearer ${h.key}` } });
    expect(((await generation.json()) as { data: Record<string, unknown> }).data).toMatchObject({ provider_name: "Gamma", is_byok: true, total_cost: 0 });
  });

  it("streams on the account's key with is_byok and the upstream cost in the final usage chunk", async () => {
    h.gamma!.setScript({ text: "one two three", usage: { prompt: 30, completion: 3 } });
    const stream = await h.client().chat.completions.create({ ...ask("test/gamma-only"), stream: true });
    let text = "";
    let usage: ByokUsage | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      if (chunk.usage) usage = chunk.usage as unknown as ByokUsage;
    }
    expect(text).toBe("one two three");
    expect(h.gamma!.lastRequest().headers.authorization).toBe(`Bearer ${GAMMA_KEY}`);
    expect(usage).toMatchObject({ is_byok: true, cost: 0, cost_details: { upstream_inference_cost: 0.000036 } });
  });

  it("uses the account's key first on a provider the operator also serves, and never falls back to credit it does not have", async () => {
    await putKey(h, "alpha", ALPHA_KEY);
    const data = await h.client().chat.completions.create(ask("test/chat"));
    expect((data as unknown as { provider: string }).provider).toBe("Alpha");
    expect(h.alpha.lastRequest().headers.authorization).toBe(`Bearer ${ALPHA_KEY}`);
    expect((data.usage as unknown as ByokUsage).is_byok).toBe(true);
    expect(h.beta.requests).toHaveLength(0);
  });

  it("402 when the model needs shared capacity, which a zero balance cannot pay for", async () => {
    const refused = await failure(h.client().chat.completions.create(ask("test/backup")));
    expect(refused.status).toBe(402);
    expect(refused.message).toMatch(/requires more credits/);
    expect((refused.error as { metadata?: Record<string, unknown> }).metadata).toMatchObject({ reason: "insufficient_balance", available_usd: "0" });
    expect(h.beta.requests).toHaveLength(0);
  });

  it("a key the provider rejects is reported by name and last four characters, and says shared capacity was skipped for lack of balance", async () => {
    h.alpha.setScript({ error: { status: 401 } });
    const before = h.beta.requests.length;
    const rejected = await failure(h.client().chat.completions.create(ask("test/chat")));
    expect(rejected.status).toBe(401);
    expect(rejected.message).toContain("Your alpha key (…9191) was rejected by alpha (HTTP 401)");
    expect(rejected.message).not.toContain(ALPHA_KEY);
    expect((rejected.error as { metadata?: Record<string, unknown> }).metadata).toMatchObject({
      is_byok: true,
      upstream_status: 401,
      shared_fallback: "skipped_insufficient_balance",
    });
    expect(h.beta.requests.length).toBe(before);

    // a provider only the account's key reaches: the rejection, with no shared attempt anywhere
    h.gamma!.setScript({ error: { status: 403 } });
    const forbidden = await failure(h.client().chat.completions.create(ask("test/gamma-only")));
    expect(forbidden.status).toBe(403);
    expect(forbidden.message).toContain("Your gamma key (…4242) was rejected");
    expect(h.gamma!.requests.every((request) => request.headers.authorization === `Bearer ${GAMMA_KEY}`)).toBe(true);

    // the account sees which of its keys were refused
    await h.chat.gateway.drain();
    const listed = await fetch(`${h.url}/api/v1/byok`, { headers: { authorization: `Bearer ${h.managementKey}` } });
    const rows = ((await listed.json()) as { data: { provider: string; last_rejected_at: string | null }[] }).data;
    expect(rows.map((row) => [row.provider, row.last_rejected_at !== null])).toEqual([
      ["alpha", true],
      ["gamma", true],
    ]);
  });
});

describe("BYOK fee paid from credit (fees.byok_bps = 100)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ balanceUsd: "0", byok: { feeBps: 100 } });
    await putKey(h, "gamma", GAMMA_KEY);
  });
  afterAll(async () => h.close());
  afterEach(async () => {
    expect(await h.settledAudit()).toEqual({ ok: true, problems: [] });
    expect(await h.openHolds()).toBe(0);
  });

  it("402 naming the BYOK fee when the balance cannot pay it, with nothing sent upstream", async () => {
    const refused = await failure(h.client().chat.completions.create(ask("test/gamma-only")));
    expect(refused.status).toBe(402);
    expect(refused.message).toContain("runs on your own gamma key, but the bring-your-own-key fee (1% of the list price");
    expect(refused.message).toContain("can only afford the fee for 0");
    expect((refused.error as { metadata?: Record<string, unknown> }).metadata).toMatchObject({ reason: "insufficient_balance", is_byok: true });
    expect(h.gamma!.requests).toHaveLength(0);
    expect(await ledger(h)).toEqual([]);
  });

  it("once funded, debits only the fee: ceil(list price × 1%), with no usage entry", async () => {
    const credit = await fetch(`${h.url}/api/v1/admin/accounts/${h.accountId}/credits`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ amount_usd: "0.01", reason: "fee money" }),
    });
    expect(credit.status).toBe(201);
    h.gamma!.setScript({ text: "ok", usage: { prompt: 31, completion: 97 } });
    const data = await h.client().chat.completions.create(ask("test/gamma-only"));
    expect(h.gamma!.lastRequest().headers.authorization).toBe(`Bearer ${GAMMA_KEY}`);
    const list = listPriceNano(31, 97); // 31,000 + 194,000 = 225,000
    const fee = ceil(list, 100n); // 2,250
    const usage = data.usage as unknown as ByokUsage;
    expect(usage).toMatchObject({ is_byok: true, cost: 0.00000225, cost_details: { upstream_inference_cost: 0.000225 } });
    await h.chat.gateway.drain();
    expect(await ledger(h)).toEqual([
      { kind: "adjustment", amount: "10000000" },
      { kind: "fee", amount: (-fee).toString() },
    ]);
    expect(await h.balanceNano()).toBe(10_000_000n - fee);
  });

  it("with credit, a rejected key falls back to shared capacity at the credit price, unless the key is marked always_use", async () => {
    await putKey(h, "alpha", ALPHA_KEY);
    // alpha refuses the account's key and serves the operator's
    h.alpha.setScript((request) => (request.headers.authorization === `Bearer ${ALPHA_KEY}` ? { error: { status: 401 } } : { usage: { prompt: 10, completion: 10 } }));
    const before = await h.balanceNano();
    const shared = await h.client().chat.completions.create(ask("test/alpha-only"));
    expect(h.alpha.requests.map((request) => request.headers.authorization)).toEqual([`Bearer ${ALPHA_KEY}`, "Bearer alpha-key"]);
    // the provider's price farebox paid, as /generation reports it: 7,640 nano
    expect(shared.usage as unknown as ByokUsage).toMatchObject({ is_byok: false, cost_details: { upstream_inference_cost: 0.00000764 } });
    await h.chat.gateway.drain();
    // ALPHA_PRICE: 10 × 153 + 10 × 611 = 7,640 nano list, + 5% = 382 → 8,022
    expect(before - (await h.balanceNano())).toBe(8_022n);

    await putKey(h, "alpha", ALPHA_KEY, true);
    const rejected = await failure(h.client().chat.completions.create(ask("test/alpha-only")));
    expect(rejected.status).toBe(401);
    expect(rejected.message).toContain("Your alpha key (…9191) was rejected");
    expect(h.alpha.requests.at(-1)!.headers.authorization).toBe(`Bearer ${ALPHA_KEY}`);
    expect(h.alpha.requests).toHaveLength(3);
  });
});
