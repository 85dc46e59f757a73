import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/app.js";
import { createDb, type Database } from "../../src/db/client.js";
import { dbKinds } from "../support/db.js";
import { createAccountViaAdmin, startTestApp, testConfig, type TestApp } from "../support/app.js";

const REDIS_URL = "redis://127.0.0.1:6379";

async function call(url: string, path: string, key: string, init: { method?: string; body?: unknown } = {}) {
  const response = await fetch(`${url}${path}`, {
    method: init.method ?? "GET",
    headers: { authorization: `Bearer ${key}`, ...(init.body === undefined ? {} : { "content-type": "application/json" }) },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  return { status: response.status, retryAfter: response.headers.get("retry-after"), body: (await response.json()) as Record<string, any> };
}

describe.each(dbKinds)("per-key rate limits (%s)", (kind) => {
  describe("across two processes sharing Redis", () => {
    let first: TestApp;
    let secondDb: Database | undefined;
    let second: FastifyInstance;
    let secondUrl: string;
    beforeAll(async () => {
      const config = { redisUrl: REDIS_URL };
      first = await startTestApp(kind, { config });
      // The second process: its own pool on the same database (PGlite is one process: it shares the instance).
      secondDb = kind === "postgres" ? await createDb({ databaseUrl: first.database.url }) : undefined;
      second = await buildApp({ config: testConfig(config), database: secondDb ?? first.database, rollupFlushMs: 5 });
      secondUrl = await second.listen({ port: 0, host: "127.0.0.1" });
    });
    afterAll(async () => {
      await second.close();
      await secondDb?.close();
      await first.close();
    });

    it("refuses a key past its requests per interval, whichever process it calls, with 429 and Retry-After", async () => {
      const { managementKey } = await createAccountViaAdmin(first.url);
      const created = await call(first.url, "/api/v1/keys", managementKey, { method: "POST", body: { name: "limited" } });
      const unlimited = await call(first.url, "/api/v1/keys", managementKey, { method: "POST", body: { name: "free" } });
      const key = created.body.key as string;
      const hash = created.body.data.hash as string;
      expect((await call(first.url, `/api/v1/keys/${hash}/rate-limit`, managementKey)).body).toEqual({ data: { rate_limit: { requests: -1, interval: null } } });
      const set = await call(first.url, `/api/v1/keys/${hash}/rate-limit`, managementKey, { method: "PUT", body: { requests: 3, interval: "1h" } });
      expect(set.body).toEqual({ data: { rate_limit: { requests: 3, interval: "1h" } } });

      const statuses = [];
      for (const url of [first.url, secondUrl, first.url]) statuses.push((await call(url, "/api/v1/key", key)).status);
      expect(statuses).toEqual([200, 200, 200]);
      const refused = await call(secondUrl, "/api/v1/key", key);
      expect(refused.status).toBe(429);
      expect(Number(refused.retryAfter)).toBeGreaterThan(0);
      expect(refused.body).toMatchObject({
        error: { code: 429, metadata: { error_type: "rate_limit_exceeded", rate_limit: { requests: 3, interval: "1h" } } },
      });
      expect((await call(first.url, "/api/v1/key", key)).status).toBe(429);
      // Another key of the same account has no limit.
      for (let i = 0; i < 5; i++) expect((await call(secondUrl, "/api/v1/key", unlimited.body.key as string)).status).toBe(200);

      // Removing the limit lets the key through again on both processes.
      await call(secondUrl, `/api/v1/keys/${hash}/rate-limit`, managementKey, { method: "PUT", body: { requests: null } });
      expect((await call(first.url, "/api/v1/key", key)).status).toBe(200);
      expect((await call(secondUrl, "/api/v1/key", key)).status).toBe(200);
    });

    it("refuses a malformed setting with a 400", async () => {
      const { managementKey } = await createAccountViaAdmin(first.url);
      const created = await call(first.url, "/api/v1/keys", managementKey, { method: "POST", body: { name: "k" } });
      const bad = await call(first.url, `/api/v1/keys/${created.body.data.hash as string}/rate-limit`, managementKey, {
        method: "PUT",
        body: { requests: 10, interval: "1 fortnight" },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toMatch(/interval/);
    });
  });

  describe("with Redis down", () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp(kind, { config: { redisUrl: "redis://127.0.0.1:1" } });
    });
    afterAll(() => app.close());

    it("lets requests through and answers 503 where a setting must be read or written", async () => {
      const { managementKey } = await createAccountViaAdmin(app.url);
      const created = await call(app.url, "/api/v1/keys", managementKey, { method: "POST", body: { name: "k" } });
      expect(created.status).toBe(201);
      expect((await call(app.url, "/api/v1/key", created.body.key as string)).status).toBe(200);
      const challenge = await fetch(`${app.url}/api/v1/auth/challenge`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ chain: "evm", address: "0x" + "cd".repeat(20) }),
      });
      expect(challenge.status).toBe(200);
      const put = await call(app.url, `/api/v1/keys/${created.body.data.hash as string}/rate-limit`, managementKey, { method: "PUT", body: { requests: 1 } });
      expect(put.status).toBe(503);
    });
  });

  describe("without REDIS_URL", () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp(kind);
    });
    afterAll(() => app.close());

    it("is off, and says what to set", async () => {
      const { managementKey } = await createAccountViaAdmin(app.url);
      const created = await call(app.url, "/api/v1/keys", managementKey, { method: "POST", body: { name: "k" } });
      const put = await call(app.url, `/api/v1/keys/${created.body.data.hash as string}/rate-limit`, managementKey, { method: "PUT", body: { requests: 1 } });
      expect(put.status).toBe(503);
      expect(put.body.error.message).toMatch(/REDIS_URL/);
    });
  });
});

