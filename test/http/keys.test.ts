import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLedger } from "../../src/ledger/index.js";
import { createAccountViaAdmin, startTestApp, TEST_ADMIN_TOKEN, type TestApp } from "../support/app.js";
import { dbKinds } from "../support/db.js";

describe.each(dbKinds)("keys and credits over HTTP on %s", (kind) => {
  let server: TestApp;
  let managementKey: string;
  let accountId: string;
  // the app's clock: real time plus what a test skips ahead, so nothing waits for real time to pass
  let skippedMs = 0;
  const clock = () => new Date(Date.now() + skippedMs);
  const call = (path: string, init: { method?: string; key?: string; body?: unknown } = {}) =>
    fetch(`${server.url}${path}`, {
      method: init.method ?? "GET",
      headers: {
        ...(init.key ? { authorization: `Bearer ${init.key}` } : {}),
        ...(init.body !== undefined ? { "content-type": "application/json" } : {}),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });

  beforeAll(async () => {
    server = await startTestApp(kind, { deps: { clock } });
    ({ accountId, managementKey } = await createAccountViaAdmin(server.url));
  });
  afterAll(async () => {
    expect((await auditLedger(server.database.db)).problems).toEqual([]);
    await server.close();
  });

  it("creates an inference key shown once and stored only as its sha256", async () => {
    const response = await call("/api/v1/keys", { method: "POST", key: managementKey, body: { name: "ci", limit: 2.5, limit_reset: "weekly" } });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { key: string; data: Record<string, unknown> };
    expect(body.key).toMatch(/^sk-fb-v1-[0-9a-f]{64}$/);
    expect(body.data).toMatchObject({ name: "ci", limit: 2.5, limit_remaining: 2.5, limit_reset: "weekly", disabled: false, usage: 0 });
    const { createHash } = await import("node:crypto");
    expect(body.data.hash).toBe(createHash("sha256").update(body.key).digest("hex"));
    const { sql } = await import("drizzle-orm");
    const stored = JSON.stringify(await server.database.db.execute(sql`select * from api_keys`), (_k, v) => (typeof v === "bigint" ? String(v) : v));
    expect(stored).not.toContain(body.key.slice(9));

    const self = await call("/api/v1/key", { key: body.key });
    expect(self.status).toBe(200);
    expect(((await self.json()) as { data: Record<string, unknown> }).data).toMatchObject({ name: "ci", is_management_key: false });
  });

  it("lists, updates, disables and deletes keys; a disabled or deleted key gets 401", async () => {
    const created = (await (await call("/api/v1/keys", { method: "POST", key: managementKey, body: { name: "temp" } })).json()) as {
      key: string;
      data: { hash: string };
    };
    const list = (await (await call("/api/v1/keys", { key: managementKey })).json()) as { data: { name: string }[] };
    expect(list.data.map((key) => key.name)).toContain("temp");

    const patched = await call(`/api/v1/keys/${created.data.hash}`, { method: "PATCH", key: managementKey, body: { disabled: true, name: "off" } });
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as { data: { disabled: boolean; name: string } }).data).toMatchObject({ disabled: true, name: "off" });
    const refused = await call("/api/v1/key", { key: created.key });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ error: { code: 401, message: "API key is disabled", metadata: { error_type: "authentication" } } });

    const hidden = (await (await call("/api/v1/keys", { key: managementKey })).json()) as { data: { name: string }[] };
    expect(hidden.data.map((key) => key.name)).not.toContain("off");
    const shown = (await (await call("/api/v1/keys?include_disabled=true", { key: managementKey })).json()) as { data: { name: string }[] };
    expect(shown.data.map((key) => key.name)).toContain("off");

    expect(await (await call(`/api/v1/keys/${created.data.hash}`, { method: "DELETE", key: managementKey })).json()).toEqual({ deleted: true });
    expect((await call(`/api/v1/keys/${created.data.hash}`, { key: managementKey })).status).toBe(404);
  });

  it("rejects missing, wrong and expired keys with 401 and inference keys on management routes with 403", async () => {
    expect((await call("/api/v1/credits")).status).toBe(401);
    expect(await (await call("/api/v1/credits")).json()).toMatchObject({ error: { code: 401, message: "Missing Authentication header" } });
    expect((await call("/api/v1/credits", { key: "sk-fb-v1-" + "0".repeat(64) })).status).toBe(401);
    const inference = (await (await call("/api/v1/keys", { method: "POST", key: managementKey, body: { name: "inf" } })).json()) as { key: string };
    const forbidden = await call("/api/v1/credits", { key: inference.key });
    expect(forbidden.status).toBe(403);

    const soon = new Date(clock().getTime() + 1_500).toISOString();
    const expiring = (await (await call("/api/v1/keys", { method: "POST", key: managementKey, body: { name: "soon", expires_at: soon } })).json()) as {
      key: string;
    };
    expect((await call("/api/v1/key", { key: expiring.key })).status).toBe(200);
    skippedMs += 1_600;
    const expired = await call("/api/v1/key", { key: expiring.key });
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as { error: { message: string } }).error.message).toBe("API key has expired");
  });

  it("reports credits in USD after an admin adjustment, once per idempotency key", async () => {
    const credit = (body: unknown) =>
      fetch(`${server.url}/api/v1/admin/accounts/${accountId}/credits`, {
        method: "POST",
        headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    expect((await credit({ amount_usd: "12.5", reason: "welcome", idempotency_key: "w1" })).status).toBe(201);
    expect((await credit({ amount_usd: "12.5", reason: "welcome", idempotency_key: "w1" })).status).toBe(200);
    const credits = await call("/api/v1/credits", { key: managementKey });
    expect(await credits.json()).toEqual({ data: { total_credits: 12.5, total_usage: 0 } });

    expect((await credit({ amount_usd: -1, reason: "x" })).status).toBe(400);
    expect((await credit({ amount_usd: "0.0000000001", reason: "x" })).status).toBe(400);
    expect((await credit({ amount_usd: 1, reason: "x", extra: true })).status).toBe(400);
  });

  it("guards the admin API with the admin token", async () => {
    const wrong = await fetch(`${server.url}/api/v1/admin/accounts`, { headers: { authorization: "Bearer nope" } });
    expect(wrong.status).toBe(401);
    const list = await fetch(`${server.url}/api/v1/admin/accounts`, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
    expect(((await list.json()) as { data: { id: string }[] }).data.map((row) => row.id)).toContain(accountId);
  });

  it("answers malformed JSON, oversized bodies, unknown routes and bad input in the envelope", async () => {
    const malformed = await fetch(`${server.url}/api/v1/keys`, {
      method: "POST",
      headers: { authorization: `Bearer ${managementKey}`, "content-type": "application/json" },
      body: "{not json",
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { code: number } }).error.code).toBe(400);

    const huge = await fetch(`${server.url}/api/v1/keys`, {
      method: "POST",
      headers: { authorization: `Bearer ${managementKey}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "x".repeat(17 * 1024 * 1024) }),
    });
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { error: { code: number } }).error.code).toBe(413);

    const missing = await call("/api/v1/nothing-here");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 404 } });

    const badLimit = await call("/api/v1/keys", { method: "POST", key: managementKey, body: { name: "x", limit: "lots" } });
    expect(badLimit.status).toBe(400);
    expect(((await badLimit.json()) as { error: { message: string } }).error.message).toContain("limit");
  });

  it("reports health and readiness", async () => {
    expect(await (await call("/health")).json()).toEqual({ status: "ok" });
    expect(await (await call("/ready")).json()).toEqual({ status: "ready" });
  });
});
