import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordSettled } from "../../src/analytics/rollup-store.js";
import { buildKeyring } from "../../src/byok/master-keys.js";
import { MetricsRegistry } from "../../src/metrics/registry.js";
import { createAccountViaAdmin, startTestApp, TEST_ADMIN_TOKEN, type TestApp } from "../support/app.js";
import { dbKinds } from "../support/db.js";
import { generateTraffic } from "./traffic.js";
import { find, parsePrometheus } from "../metrics/parse-prometheus.js";

describe.each(dbKinds)("usage insight routes in the app (%s)", (kind) => {
  let t: TestApp;
  let account: { accountId: string; managementKey: string };
  let inferenceKey: string;
  const registry = new MetricsRegistry();
  registry.counter("farebox_test_total", "A test counter.").inc();

  beforeAll(async () => {
    t = await startTestApp(kind, { deps: { byokKeyring: buildKeyring(randomBytes(32).toString("hex")), metrics: registry } });
    account = await createAccountViaAdmin(t.url);
    const created = await fetch(`${t.url}/api/v1/keys`, {
      method: "POST",
      headers: { authorization: `Bearer ${account.managementKey}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "inference" }),
    });
    inferenceKey = ((await created.json()) as { key: string }).key;
    const now = new Date();
    const traffic = [
      ...generateTraffic(
        {
          accounts: [account.accountId],
          keysPerAccount: 2,
          models: ["openai/gpt-4o-mini"],
          providers: ["openai"],
          apps: [{ referer: "https://app.example.net/", title: "Example" }],
          from: new Date(now.getTime() - 86_400_000),
          days: 1,
        },
        40,
        9,
      ),
    ];
    await recordSettled(t.database.db, traffic);
  });
  afterAll(async () => t?.close());

  const call = (method: string, path: string, key: string | null, body?: unknown) =>
    fetch(`${t.url}${path}`, {
      method,
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, body: ((r.headers.get("content-type") ?? "").includes("json") ? await r.json() : await r.text()) as any }));

  it("serves /activity to the account's management key only", async () => {
    const ok = await call("GET", "/api/v1/activity?group_by=model", account.managementKey);
    expect(ok.status).toBe(200);
    expect(ok.body.totals.requests).toBe(40);
    expect((await call("GET", "/api/v1/activity", inferenceKey)).status).toBe(403);
    expect((await call("GET", "/api/v1/activity", null)).status).toBe(401);
    expect((await call("GET", "/api/v1/activity", TEST_ADMIN_TOKEN)).status).toBe(401);
  });

  it("stores BYOK keys for known providers through the management key", async () => {
    const put = await call("PUT", "/api/v1/byok/openai", account.managementKey, { api_key: "sk-proj-APPSECRET-0000-9999" });
    expect(put.status).toBe(200);
    expect(put.body.data.key_last_four).toBe("9999");
    expect((await call("PUT", "/api/v1/byok/not-a-provider", account.managementKey, { api_key: "sk-proj-APPSECRET-0000-9999" })).status).toBe(404);
    expect((await call("GET", "/api/v1/byok", inferenceKey)).status).toBe(403);
    const rows = await t.database.db.execute("select * from byok_keys");
    expect(JSON.stringify(rows, (_k, v) => (typeof v === "bigint" ? String(v) : v))).not.toContain("APPSECRET");
  });

  it("serves /rankings and /metrics without auth", async () => {
    const rankings = await call("GET", "/api/v1/rankings", null);
    expect(rankings.status).toBe(200);
    expect(rankings.body.data.apps.week[0]).toMatchObject({ app: "https://app.example.net", title: "Example" });
    expect(JSON.stringify(rankings.body)).not.toContain(account.accountId);
    const metrics = await call("GET", "/metrics", null);
    expect(metrics.status).toBe(200);
    expect(find(parsePrometheus(metrics.body), "farebox_test_total")[0]?.value).toBe(1);
  });
});
