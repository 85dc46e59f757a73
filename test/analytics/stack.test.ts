import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.js";
import { find, parsePrometheus } from "../metrics/parse-prometheus.js";
import { startStack, type Stack } from "./stack.js";

let s: Stack;
const today = new Date().toISOString().slice(0, 10);

beforeAll(async () => {
  s = await startStack();
  const a1 = s.client(s.a.keys[0]!.key, { "HTTP-Referer": "https://writer.example.com/doc/42?session=zzz", "X-Title": "Writer" });
  const a2 = s.client(s.a.keys[1]!.key);
  const b1 = s.client(s.b.keys[0]!.key, { "HTTP-Referer": "http://localhost:5173/", "X-Title": "Private dev tool" });
  const usages = [
    { prompt: 1200, completion: 345 },
    { prompt: 17, completion: 3 },
    { prompt: 999, completion: 1 },
    { prompt: 40_000, completion: 800 },
  ];
  for (const [i, usage] of usages.entries()) {
    s.alpha.setScript({ usage });
    await a1.chat.completions.create({ model: i % 2 ? "other/chat" : "acme/chat", messages: [{ role: "user", content: "hi" }], max_tokens: 900 });
  }
  s.alpha.setScript({ usage: { prompt: 50, completion: 60 } });
  const stream = await a2.chat.completions.create({ model: "acme/chat", messages: [{ role: "user", content: "hi" }], max_tokens: 100, stream: true, stream_options: { include_usage: true } });
  for await (const _chunk of stream) void _chunk;
  s.alpha.setScript({ error: { status: 400, message: "bad request upstream" } });
  await expect(a2.chat.completions.create({ model: "acme/chat", messages: [{ role: "user", content: "hi" }], max_tokens: 10 })).rejects.toThrow();
  s.alpha.setScript({ usage: { prompt: 5, completion: 5 } });
  await b1.chat.completions.create({ model: "acme/chat", messages: [{ role: "user", content: "hi" }], max_tokens: 10 });
  await s.settled(7);
});
afterAll(async () => s?.close());

async function get(path: string, key?: string) {
  const response = await fetch(`${s.url}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

async function ledgerDebits(accountId: string, kinds: string[]): Promise<bigint> {
  const [row] = await queryRows<{ total: string }>(
    s.database.db,
    sql`select coalesce(-sum(amount_nano), 0)::text as total from ledger_entries where account_id = ${accountId} and kind::text in ${kinds}`,
  );
  return BigInt(row!.total);
}

describe("activity over HTTP", () => {
  it("totals equal the sum of the ledger's usage and fee entries, per account", async () => {
    for (const account of [s.a, s.b]) {
      const debits = await ledgerDebits(account.accountId, ["usage", "fee"]);
      expect(debits).toBeGreaterThan(0n);
      const { status, text } = await get("/api/v1/activity?group_by=model", account.managementKey);
      expect(status).toBe(200);
      const body = JSON.parse(text);
      // compare in nano: the JSON number was formatted from the exact decimal string
      expect(BigInt(Math.round(body.totals.usage * 1e9))).toBe(debits);
      expect(BigInt(Math.round(body.totals.usage_inference * 1e9))).toBe(await ledgerDebits(account.accountId, ["usage"]));
      expect(BigInt(Math.round(body.totals.fees * 1e9))).toBe(await ledgerDebits(account.accountId, ["fee"]));
    }
  });

  it("groups by key, counts errors, and shows latency percentiles", async () => {
    const body = JSON.parse((await get(`/api/v1/activity?group_by=key&from=${today}&to=${today}`, s.a.managementKey)).text);
    const rows = Object.fromEntries(body.data.map((r: any) => [r.api_key_id, r]));
    const [k1, k2] = s.a.keys;
    expect(rows[k1!.id].requests).toBe(4);
    expect(rows[k1!.id].prompt_tokens).toBe(1200 + 17 + 999 + 40_000);
    expect(rows[k2!.id].requests).toBe(2);
    expect(rows[k2!.id].errors).toBe(1);
    expect(rows[k2!.id].error_rate).toBe(0.5);
    expect(rows[k2!.id].ttft_p50_ms).not.toBeNull();
    // each key named as its owner named it, with the hash GET /api/v1/keys lists it by
    expect([rows[k1!.id].api_key_name, rows[k2!.id].api_key_name]).toEqual(["key 0", "key 1"]);
    const listed = JSON.parse((await get("/api/v1/keys", s.a.managementKey)).text).data as { hash: string; name: string }[];
    expect(listed.find((key) => key.name === "key 0")?.hash).toBe(rows[k1!.id].api_key_hash);
    expect(rows[k1!.id].latency_p50_ms).toBeGreaterThanOrEqual(0);
    expect(Object.keys(rows)).not.toContain(s.b.keys[0]!.id);
  });

  it("downloads CSV", async () => {
    const { status, headers, text } = await get("/api/v1/activity?group_by=day&format=csv", s.a.managementKey);
    expect(status).toBe(200);
    expect(headers.get("content-type")).toContain("text/csv");
    expect(headers.get("content-disposition")).toContain("attachment");
    const [header, row] = text.trimEnd().split("\r\n");
    expect(header!.startsWith("date,requests,")).toBe(true);
    expect(row!.startsWith(`${today},6,`)).toBe(true);
  });

  it("rejects bad parameters with 400 in the envelope; inference keys 403; no key 401", async () => {
    for (const query of ["group_by=week", "from=2026-02-30", "from=2026-03-10&to=2026-03-01", "from=2020-01-01&to=2026-01-01", "format=xml"]) {
      const { status, text } = await get(`/api/v1/activity?${query}`, s.a.managementKey);
      expect(status, query).toBe(400);
      expect(JSON.parse(text).error.code).toBe(400);
    }
    expect((await get("/api/v1/activity", s.a.keys[0]!.key)).status).toBe(403);
    expect((await get("/api/v1/activity")).status).toBe(401);
  });
});

describe("rankings over HTTP", () => {
  it("need no auth, match the generations and leak nothing", async () => {
    const { status, text } = await get("/api/v1/rankings");
    expect(status).toBe(200);
    const { data } = JSON.parse(text);
    const acme = data.models.find((m: any) => m.model === "acme/chat");
    const other = data.models.find((m: any) => m.model === "other/chat");
    // acme: a1 #0 and #2, a2 stream, a2 error (0 tokens), b1
    expect(acme.tokens_this_week).toBe(1200 + 345 + 999 + 1 + 50 + 60 + 5 + 5);
    expect(other.tokens_this_week).toBe(17 + 3 + 40_000 + 800);
    expect(data.authors.map((a: any) => a.author).sort()).toEqual(["acme", "other"]);
    expect(data.apps.week).toEqual([{ app: "https://writer.example.com", title: "Writer", tokens: 1200 + 345 + 17 + 3 + 999 + 1 + 40_800, requests: 4 }]);
    const secrets = [s.a.accountId, s.b.accountId, ...[s.a, s.b].flatMap((x) => x.keys.flatMap((k) => [k.id, k.key]))];
    for (const secret of [...secrets, "session", "zzz", "localhost", "Private dev tool", "operator-alpha-key"]) {
      expect(text).not.toContain(secret);
    }
  });
});

describe("metrics over HTTP", () => {
  it("expose request counts and ledger totals matching the traffic, in Prometheus format", async () => {
    const { status, headers, text } = await get("/metrics");
    expect(status).toBe(200);
    expect(headers.get("content-type")).toContain("version=0.0.4");
    const parsed = parsePrometheus(text);
    expect(find(parsed, "farebox_requests_total", { model: "acme/chat", status: "200" })[0]?.value).toBe(4);
    expect(find(parsed, "farebox_requests_total", { model: "other/chat", status: "200" })[0]?.value).toBe(2);
    expect(find(parsed, "farebox_request_errors_total").reduce((x, sample) => x + sample.value, 0)).toBe(1);
    expect(find(parsed, "farebox_time_to_first_token_seconds_count")[0]?.value).toBe(1);
    // the gateway gives back what it reserved for this traffic within a second of it ending
    const openHolds = async () => find(parsePrometheus((await get("/metrics")).text), "farebox_open_holds")[0]?.value;
    await expect.poll(openHolds, { timeout: 5_000, interval: 200 }).toBe(0);
    const fees = find(parsed, "farebox_ledger_entries_nano_usd", { kind: "fee" })[0]!;
    const allFees = (await ledgerDebits(s.a.accountId, ["fee"])) + (await ledgerDebits(s.b.accountId, ["fee"]));
    expect(fees.raw).toBe((-allFees).toString());
  });
});

describe("BYOK keys over HTTP", () => {
  const secret = "sk-proj-BYOKSECRETVALUE-123456-wxyz";
  const call = (method: string, path: string, key: string | null, body?: unknown) =>
    fetch(`${s.url}${path}`, {
      method,
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, text: await r.text() }));

  it("stores, lists masked and deletes; the key appears in no response, row or log line", async () => {
    const put = await call("PUT", "/api/v1/byok/alpha", s.a.managementKey, { api_key: secret });
    expect(put.status).toBe(200);
    expect(JSON.parse(put.text).data).toMatchObject({ provider: "alpha", key_last_four: "wxyz", always_use: false });
    const list = await call("GET", "/api/v1/byok", s.a.managementKey);
    expect(JSON.parse(list.text).data.map((k: any) => k.provider)).toEqual(["alpha"]);
    expect(JSON.parse((await call("GET", "/api/v1/byok", s.b.managementKey)).text).data).toEqual([]);
    for (const response of [put, list]) expect(response.text).not.toContain("BYOKSECRET");

    const dump = JSON.stringify(await s.database.db.execute("select t::text as row from byok_keys t"));
    expect(dump).toContain("wxyz");
    expect(dump).not.toContain("BYOKSECRET");
    expect(s.logs.length).toBeGreaterThan(10);
    expect(s.logs.join("\n")).not.toContain("BYOKSECRET");

    expect((await call("DELETE", "/api/v1/byok/alpha", s.b.managementKey)).status).toBe(404);
    expect((await call("DELETE", "/api/v1/byok/alpha", s.a.managementKey)).status).toBe(200);
    expect((await call("DELETE", "/api/v1/byok/alpha", s.a.managementKey)).status).toBe(404);
  });

  it("answers bad input with 4xx that never echo the key", async () => {
    const cases: [string, string | null, unknown, number][] = [
      ["/api/v1/byok/alpha", null, { api_key: secret }, 401],
      ["/api/v1/byok/alpha", "inference", { api_key: secret }, 403],
      ["/api/v1/byok/nosuch", "management", { api_key: secret }, 404],
      ["/api/v1/byok/alpha", "management", { api_key: "short" }, 400],
      ["/api/v1/byok/alpha", "management", { api_key: `${secret} with space` }, 400],
      ["/api/v1/byok/alpha", "management", { api_key: secret, extra: 1 }, 400],
      ["/api/v1/byok/alpha", "management", { key: secret }, 400],
      ["/api/v1/byok/alpha", "management", ["x"], 400],
    ];
    for (const [path, who, body, expected] of cases) {
      const key = who === "management" ? s.a.managementKey : who === "inference" ? s.a.keys[0]!.key : null;
      const response = await call("PUT", path, key, body);
      expect(response.status, `${path} ${JSON.stringify(body).slice(0, 40)}`).toBe(expected);
      expect(JSON.parse(response.text).error.code).toBe(expected);
      expect(response.text).not.toContain("BYOKSECRET");
    }
    expect(s.logs.join("\n")).not.toContain("BYOKSECRET");
  });
});

describe("BYOK requests", () => {
  const byokKey = "sk-byok-ACCOUNTOWNKEY-7777";
  const put = (body: unknown) =>
    fetch(`${s.url}/api/v1/byok/alpha`, {
      method: "PUT",
      headers: { authorization: `Bearer ${s.b.managementKey}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  const ceil = (n: bigint, d: bigint) => (n + d - 1n) / d;
  const base = (prompt: number, completion: number) =>
    ceil(BigInt(prompt) * 153_000_000n, 1_000_000n) + ceil(BigInt(completion) * 611_000_000n, 1_000_000n);

  it("serves with the account's key and debits only the BYOK fee", async () => {
    expect((await put({ api_key: byokKey })).status).toBe(200);
    const before = await ledgerDebits(s.b.accountId, ["usage", "fee"]);
    s.alpha.setScript({ usage: { prompt: 3000, completion: 700 } });
    const { data, response } = await s
      .client(s.b.keys[0]!.key)
      .chat.completions.create({ model: "acme/chat", messages: [{ role: "user", content: "hi" }], max_tokens: 800 })
      .withResponse();
    expect(s.alpha.lastRequest().headers.authorization).toBe(`Bearer ${byokKey}`);
    const usage = data.usage as any;
    const listPrice = base(3000, 700);
    const fee = ceil(listPrice * 100n, 10_000n); // fees.byok_bps = 100
    expect(usage.is_byok).toBe(true);
    expect(BigInt(Math.round(usage.cost * 1e9))).toBe(fee);
    expect(BigInt(Math.round(usage.cost_details.upstream_inference_cost * 1e9))).toBe(listPrice);
    await s.settled(8);
    expect((await ledgerDebits(s.b.accountId, ["usage", "fee"])) - before).toBe(fee);
    const generation = await fetch(`${s.url}/api/v1/generation?id=${response.headers.get("x-generation-id")}`, {
      headers: { authorization: `Bearer ${s.b.keys[0]!.key}` },
    }).then((r) => r.json() as Promise<any>);
    expect(generation.data.is_byok).toBe(true);
    const activity = JSON.parse((await get(`/api/v1/activity?group_by=day&from=${today}&to=${today}`, s.b.managementKey)).text);
    expect(BigInt(Math.round(activity.totals.byok_usage_inference * 1e9))).toBe(listPrice);
    expect(activity.totals.byok_requests).toBe(1);
    const key = JSON.parse((await get("/api/v1/key", s.b.keys[0]!.key)).text).data;
    expect(BigInt(Math.round(key.byok_usage_daily * 1e9))).toBe(listPrice);
    expect(BigInt(Math.round(key.byok_usage_monthly * 1e9))).toBe(listPrice);
    expect(BigInt(Math.round(key.byok_usage * 1e9))).toBe(listPrice);
    const stored = JSON.parse((await get("/api/v1/byok", s.b.managementKey)).text).data[0];
    expect(stored.last_used_at).not.toBeNull();
    expect(s.logs.join("\n")).not.toContain("ACCOUNTOWNKEY");
  });

  it("falls back to shared capacity when the provider rejects the key, unless the key is always-use", async () => {
    s.alpha.setScript((request) =>
      request.headers.authorization === `Bearer ${byokKey}` ? { error: { status: 401, message: "invalid api key" } } : { usage: { prompt: 10, completion: 10 } },
    );
    const client = s.client(s.b.keys[0]!.key);
    const served = await client.chat.completions.create({ model: "acme/chat", messages: [{ role: "user", content: "hi" }], max_tokens: 50 });
    expect((served.usage as any).is_byok).toBe(false);
    expect(s.alpha.lastRequest().headers.authorization).toBe("Bearer operator-alpha-key");

    expect((await put({ api_key: byokKey, always_use: true })).status).toBe(200);
    const failure = await client.chat.completions
      .create({ model: "acme/chat", messages: [{ role: "user", content: "hi" }], max_tokens: 50 })
      .catch((error: unknown) => error as { status: number; message: string });
    expect((failure as { status: number }).status).toBe(401);
    expect((failure as { message: string }).message).toContain("Your alpha key (…7777) was rejected");
    expect((failure as { message: string }).message).not.toContain("ACCOUNTOWNKEY");
  });
});
