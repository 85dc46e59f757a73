/**
 * OpenRouter's routes that clients call, answered by farebox in the spec's shapes (every JSON
 * response here is also checked against the published schema by test/support/validate-responses):
 * every route under /api/v1 and /v1, model lookups (the openai SDK's models.retrieve), filters,
 * the account's usable models (BYOK included), providers, the BYOK credential shape, the
 * datasets, and statuses that tell clients not to retry a setting.
 */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordSettled } from "../../src/analytics/rollup-store.js";
import { startHarness, type Harness } from "../gateway/harness.js";
import { generateTraffic } from "../analytics/traffic.js";

const GAMMA_KEY = "sk-gamma-own-key-0123456789";

let h: Harness;
const call = async (method: string, path: string, key: string | null, body?: unknown) => {
  const response = await fetch(`${h.url}${path}`, {
    method,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
};

beforeAll(async () => {
  h = await startHarness({ byok: { feeBps: 0 } });
});
afterAll(async () => h.close());

describe("every API route under /api/v1 and /v1", () => {
  it("answers key management, credits and generations under /v1 as under /api/v1", async () => {
    for (const path of ["/keys", "/key", "/credits", "/byok", "/models", "/providers", "/models/count"]) {
      const long = await call("GET", `/api/v1${path}`, h.managementKey);
      const short = await call("GET", `/v1${path}`, h.managementKey);
      expect([path, short.status]).toEqual([path, long.status]);
      expect(long.status).toBe(200);
    }
  });
});

describe("model lookups and filters", () => {
  it("retrieves one model through the openai SDK, and 404s an unknown one", async () => {
    const model = await h.client().models.retrieve("test/chat");
    expect(model).toMatchObject({ id: "test/chat", object: "model", owned_by: "test" });
    expect((model as unknown as { supported_parameters: string[] }).supported_parameters).toContain("tools");
    await expect(h.client().models.retrieve("nobody/nothing")).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const one = await call("GET", "/api/v1/model/test/chat", null);
    expect(one.body.data).toMatchObject({ id: "test/chat", supported_voices: null });
  });

  it("filters /models by supported parameters and input modalities, counts them, and refuses categories it has no data for", async () => {
    const all = await call("GET", "/api/v1/models", null);
    const withTools = await call("GET", "/api/v1/models?supported_parameters=tools,tool_choice", null);
    // test/chat lists tools; test/alpha-only lists parameters without them; test/backup lists none, so takes its protocol's (tools included)
    const listsTools = (m: { supported_parameters: string[] }) => ["tools", "tool_choice"].every((p) => m.supported_parameters.includes(p));
    const expected = all.body.data.filter(listsTools).map((m: { id: string }) => m.id);
    expect(expected).toEqual(expect.arrayContaining(["test/chat", "test/backup"]));
    expect(all.body.data.map((m: { id: string }) => m.id)).toContain("test/alpha-only");
    expect(expected).not.toContain("test/alpha-only");
    expect(withTools.body.data.map((m: { id: string }) => m.id)).toEqual(expected);
    expect(withTools.body.total_count).toBe(expected.length);
    expect((await call("GET", "/api/v1/models?output_modalities=image", null)).body.data).toEqual([]);
    expect((await call("GET", "/api/v1/models?output_modalities=all", null)).body.total_count).toBe(all.body.total_count);
    expect((await call("GET", "/api/v1/models/count", null)).body).toEqual({ data: { count: all.body.total_count } });
    expect((await call("GET", "/api/v1/models/count?output_modalities=audio", null)).body).toEqual({ data: { count: 0 } });
    const paged = await call("GET", "/api/v1/models?offset=1&limit=2", null);
    expect(paged.body.data.map((m: { id: string }) => m.id)).toEqual(all.body.data.slice(1, 3).map((m: { id: string }) => m.id));
    const category = await call("GET", "/api/v1/models?category=programming", null);
    expect(category.status).toBe(400);
    expect(category.body.error.metadata.param).toBe("category");
  });

  it("lists the providers of the catalog", async () => {
    const providers = await call("GET", "/api/v1/providers", null);
    expect(providers.body.data.map((p: { slug: string }) => p.slug)).toEqual(expect.arrayContaining(["alpha", "beta", "gamma", "unset"]));
    expect(providers.body.data.find((p: { slug: string }) => p.slug === "alpha")).toMatchObject({ name: "Alpha", privacy_policy_url: null });
  });

  it("marks endpoints that take tool_choice", async () => {
    const endpoints = await call("GET", "/api/v1/models/test/chat/endpoints", null);
    expect(endpoints.body.data.endpoints.map((e: { supports_tool_choice: boolean }) => e.supports_tool_choice)).toEqual([true, true]);
  });
});

describe("OpenRouter's BYOK shape and the models an account can use", () => {
  it("creates, reads, rotates and deletes a credential; /models/user follows it", async () => {
    const usable = async () => (await call("GET", "/api/v1/models/user", h.key)).body.data.map((m: { id: string }) => m.id) as string[];
    expect(await usable()).not.toContain("test/gamma-only");
    expect(await usable()).not.toContain("test/unconfigured");

    const created = await call("POST", "/api/v1/byok", h.managementKey, { provider: "gamma", key: GAMMA_KEY });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({ id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/), provider: "gamma", label: "…6789", disabled: false, is_fallback: false, sort_order: 0 });
    expect(JSON.stringify(created.body)).not.toContain(GAMMA_KEY);
    expect(await usable()).toContain("test/gamma-only");

    const id = created.body.data.id as string;
    expect((await call("GET", `/api/v1/byok/${id}`, h.managementKey)).body.data).toMatchObject({ id, label: "…6789" });
    expect((await call("GET", "/api/v1/byok/gamma", h.managementKey)).body.data.id).toBe(id);
    const listed = await call("GET", "/api/v1/byok?provider=gamma", h.managementKey);
    expect(listed.body).toMatchObject({ total_count: 1, data: [{ id }] });
    const rotated = await call("PATCH", `/api/v1/byok/${id}`, h.managementKey, { key: "sk-gamma-rotated-key-4321" });
    expect(rotated.body.data).toMatchObject({ id, label: "…4321" });
    // restrictions farebox would not enforce are refused, not silently accepted
    const restricted = await call("PATCH", "/api/v1/byok/gamma", h.managementKey, { allowed_models: ["test/gamma-only"] });
    expect(restricted.status).toBe(400);
    expect(restricted.body.error.metadata.param).toBe("allowed_models");

    expect((await call("DELETE", `/api/v1/byok/${id}`, h.managementKey)).body).toEqual({ deleted: true });
    expect((await call("GET", "/api/v1/byok/gamma", h.managementKey)).status).toBe(404);
    expect(await usable()).not.toContain("test/gamma-only");
  });
});

describe("datasets from the leaderboard", () => {
  it("serves daily model tokens and app rankings over a window", async () => {
    const date = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
    const day = new Date(`${date}T00:00:00Z`);
    await recordSettled(h.database.db, [
      ...generateTraffic(
        {
          accounts: [h.accountId],
          keysPerAccount: 1,
          models: ["test/chat", "test/backup"],
          providers: ["alpha"],
          apps: [{ referer: "https://app.example.net/", title: "Example" }],
          from: day,
          days: 1,
        },
        20,
        3,
      ),
    ]);
    const daily = await call("GET", `/api/v1/datasets/rankings-daily?start_date=${date}&end_date=${date}`, null);
    expect(daily.status).toBe(200);
    expect(daily.body.meta).toMatchObject({ version: "v1", start_date: date, end_date: date });
    expect(daily.body.data.map((row: { model_permaslug: string }) => row.model_permaslug).sort()).toEqual(["test/backup", "test/chat"]);
    expect(daily.body.data.every((row: { total_tokens: string }) => /^\d+$/.test(row.total_tokens))).toBe(true);

    const apps = await call("GET", `/api/v1/datasets/app-rankings?start_date=${date}&end_date=${date}`, null);
    expect(apps.body.data).toEqual([expect.objectContaining({ rank: 1, app_name: "Example", total_requests: expect.any(Number) })]);
    expect(Number.isSafeInteger(apps.body.data[0].app_id)).toBe(true);
    expect((await call("GET", "/api/v1/datasets/rankings-daily?category=programming", null)).status).toBe(400);
    expect((await call("GET", "/api/v1/datasets/rankings-daily?end_date=2024-12-31", null)).status).toBe(400);
  });
});

describe("answers for settings and passing conditions", () => {
  it("passes the upstream's system_fingerprint and reports the upstream cost in chat responses", async () => {
    h.alpha.setScript({ usage: { prompt: 10, completion: 10 } });
    const data = await h.client().chat.completions.create({ model: "test/alpha-only", messages: [{ role: "user", content: "hi" }], max_tokens: 20 });
    expect(data.system_fingerprint).toBe("fp_fake0001");
    const usage = data.usage as unknown as { cost_details: { upstream_inference_cost: number | null } };
    expect(usage.cost_details.upstream_inference_cost).toBeGreaterThan(0);
  });
});

describe("activity in OpenRouter's rows", () => {
  it("answers one row per day and endpoint by default, and per workspace when asked", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const traffic = { keysPerAccount: 1, models: ["test/alpha-only"], providers: ["alpha"], apps: [{ referer: null, title: null }], days: 1 };
    const alphaRow = async () => {
      const rows = (await call("GET", `/api/v1/activity?date=${today}`, h.managementKey)).body.data as Record<string, unknown>[];
      return rows.find((row) => row.endpoint_id === "test/alpha-only@alpha");
    };
    // earlier tests' own requests are counted first, so the 5 recorded here stand out
    await h.chat.gateway.drain();
    const before = Number((await alphaRow())?.requests ?? 0);
    await recordSettled(h.database.db, [...generateTraffic({ ...traffic, accounts: [h.accountId], from: new Date(`${today}T00:00:00Z`) }, 5, 7)]);
    expect(await alphaRow()).toMatchObject({ date: today, model: "test/alpha-only", model_permaslug: "test/alpha-only", provider_name: "Alpha", requests: before + 5 });
    const split = await call("GET", `/api/v1/activity?date=${today}&group_by=workspace`, h.managementKey);
    expect(split.body.data[0]).toMatchObject({ workspace_id: "00000000-0000-0000-0000-000000000000" });
  });
});
