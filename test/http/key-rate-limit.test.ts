import type { FastifyInstance } from "fastify";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Database } from "../../src/db/client.js";
import { dbKinds } from "../support/db.js";
import { buildTestApp, createAccountViaAdmin, startTestApp, testConfig, type TestApp } from "../support/app.js";

// A Redis database of this file's own, so flushing it touches no other test file's counters.
const REDIS_URL = "redis://127.0.0.1:6379/11";

// Every app of this file reads one fixed instant, half-way through an hour: windows (1m or 1h)
// never roll over in the middle of a test, so a refusal cannot be missed at a window boundary.
const NOW = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 + 1_800_000 + 30_000);
const clock = () => NOW;

async function call(url: string, path: string, key: string, init: { method?: string; body?: unknown } = {}) {
  const response = await fetch(`${url}${path}`, {
    method: init.method ?? "GET",
    headers: { authorization: `Bearer ${key}`, ...(init.body === undefined ? {} : { "content-type": "application/json" }) },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  return { status: response.status, retryAfter: response.headers.get("retry-after"), body: (await response.json()) as Record<string, any> };
}

async function statusesOf(calls: Array<[url: string, key: string]>): Promise<number[]> {
  const statuses = [];
  for (const [url, key] of calls) statuses.push((await call(url, "/api/v1/key", key)).status);
  return statuses;
}

/** A Redis client that records the name of every command it sends. */
function countingRedis(url: string): { redis: Redis; sent: string[] } {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  const sent: string[] = [];
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = (command, stream) => {
    sent.push(command.name);
    return send(command, stream);
  };
  return { redis, sent };
}

const UNLIMITED = { requests: -1, interval: "10s", note: "No request rate limit is set on this key" };

describe.each(dbKinds)("per-key rate limits (%s)", (kind) => {
  describe("across two processes sharing Redis", () => {
    let first: TestApp;
    let secondDb: Database | undefined;
    let second: FastifyInstance;
    let secondUrl: string;
    let admin: Redis;
    beforeAll(async () => {
      const config = { redisUrl: REDIS_URL };
      first = await startTestApp(kind, { config, deps: { clock } });
      // The second process: its own pool on the same database (PGlite is one process: it shares the instance).
      secondDb = kind === "postgres" ? await createDb({ databaseUrl: first.database.url }) : undefined;
      second = await buildTestApp(testConfig(config), secondDb ?? first.database, { clock });
      secondUrl = await second.listen({ port: 0, host: "127.0.0.1" });
      admin = new Redis(REDIS_URL);
    });
    afterAll(async () => {
      admin.disconnect();
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
      expect((await call(first.url, `/api/v1/keys/${hash}/rate-limit`, managementKey)).body).toEqual({ data: { rate_limit: UNLIMITED } });
      const set = await call(first.url, `/api/v1/keys/${hash}/rate-limit`, managementKey, { method: "PUT", body: { requests: 3, interval: "1h" } });
      expect(set.body).toEqual({ data: { rate_limit: { requests: 3, interval: "1h", note: expect.any(String) } } });

      expect(await statusesOf([[first.url, key], [secondUrl, key], [first.url, key]])).toEqual([200, 200, 200]);
      const refused = await call(secondUrl, "/api/v1/key", key);
      expect(refused.status).toBe(429);
      expect(Number(refused.retryAfter)).toBeGreaterThan(0);
      expect(refused.body).toMatchObject({
        error: { code: 429, metadata: { error_type: "rate_limit_exceeded", rate_limit: { requests: 3, interval: "1h" } } },
      });
      expect((await call(first.url, "/api/v1/key", key)).status).toBe(429);
      // Another key of the same account has no limit.
      for (let i = 0; i < 5; i++) expect((await call(secondUrl, "/api/v1/key", unlimited.body.key as string)).status).toBe(200);

      // Removing the limit lets the key through again on the process that removed it at once.
      await call(secondUrl, `/api/v1/keys/${hash}/rate-limit`, managementKey, { method: "PUT", body: { requests: null } });
      expect((await call(secondUrl, "/api/v1/key", key)).status).toBe(200);
    });

    it("keeps a key's limit when Redis loses everything: the setting is re-read from Postgres", async () => {
      const { managementKey } = await createAccountViaAdmin(first.url);
      const created = await call(first.url, "/api/v1/keys", managementKey, { method: "POST", body: { name: "k", rate_limit: { requests: 2, interval: "1h" } } });
      const key = created.body.key as string;
      expect(await statusesOf([[first.url, key], [secondUrl, key], [first.url, key]])).toEqual([200, 200, 429]);

      // A Redis restart without persistence: every counter (and anything else Redis held) is gone.
      await admin.flushdb();
      // A process started afterwards knows the limit only from the database.
      const third = await buildTestApp(testConfig({ redisUrl: REDIS_URL }), secondDb ?? first.database, { clock });
      try {
        const thirdUrl = await third.listen({ port: 0, host: "127.0.0.1" });
        expect(await statusesOf([[thirdUrl, key], [first.url, key], [thirdUrl, key], [secondUrl, key]])).toEqual([200, 200, 429, 429]);
      } finally {
        await third.close();
      }
    });

    it("refuses a malformed setting with a 400", async () => {
      const { managementKey } = await createAccountViaAdmin(first.url);
      const created = await call(first.url, "/api/v1/keys", managementKey, { method: "POST", body: { name: "k" } });
      const hash = created.body.data.hash as string;
      const bad = await call(first.url, `/api/v1/keys/${hash}/rate-limit`, managementKey, {
        method: "PUT",
        body: { requests: 10, interval: "1 fortnight" },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toMatch(/interval/);
      for (const rateLimit of [{ requests: 0 }, { requests: 1.5 }, { requests: "10" }, { requests: 10, interval: "2h" }, { interval: "1m" }, { requests: 1, burst: 2 }]) {
        const patched = await call(first.url, `/api/v1/keys/${hash}`, managementKey, { method: "PATCH", body: { rate_limit: rateLimit } });
        expect(patched.status, JSON.stringify(rateLimit)).toBe(400);
        expect(patched.body.error.code).toBe(400);
        const posted = await call(first.url, "/api/v1/keys", managementKey, { method: "POST", body: { name: "k", rate_limit: rateLimit } });
        expect(posted.status, JSON.stringify(rateLimit)).toBe(400);
      }
    });
  });

  describe("costs a key without a limit nothing", () => {
    let app: TestApp;
    let counting: ReturnType<typeof countingRedis>;
    beforeAll(async () => {
      counting = countingRedis(REDIS_URL);
      app = await startTestApp(kind, {
        config: {
          redisUrl: REDIS_URL,
          // A model no provider key serves: a chat request passes authentication and rate limiting, then answers 404 (no endpoints).
          catalog: { include_default: false },
          providers: { keyless: { protocol: "openai", base_url: "http://127.0.0.1:9/v1", headers: {} } },
          models: [{ id: "t/keyless", context_length: 1000, endpoints: [{ provider: "keyless", model: "m", pricing: { prompt: "0.000001", completion: "0.000001" } }] }],
        },
        deps: { redis: counting.redis, clock },
      });
    });
    afterAll(async () => {
      await app.close();
      counting.redis.disconnect();
    });

    it("sends Redis no command for a key without a limit, and one per request for a key with one", async () => {
      const { managementKey } = await createAccountViaAdmin(app.url);
      const free = (await call(app.url, "/api/v1/keys", managementKey, { method: "POST", body: { name: "free" } })).body.key as string;
      const limited = (await call(app.url, "/api/v1/keys", managementKey, { method: "POST", body: { name: "limited", rate_limit: { requests: 100 } } }))
        .body.key as string;
      counting.sent.length = 0;
      expect(await statusesOf(Array.from({ length: 10 }, () => [app.url, free] as [string, string]))).toEqual(Array(10).fill(200));
      expect(counting.sent).toEqual([]);
      expect(await statusesOf(Array.from({ length: 3 }, () => [app.url, limited] as [string, string]))).toEqual([200, 200, 200]);
      expect(counting.sent).toHaveLength(3);
    });

    it("does the same for chat completions", async () => {
      const { managementKey } = await createAccountViaAdmin(app.url);
      const free = (await call(app.url, "/api/v1/keys", managementKey, { method: "POST", body: { name: "free" } })).body.key as string;
      const limited = (await call(app.url, "/api/v1/keys", managementKey, { method: "POST", body: { name: "limited", rate_limit: { requests: 2 } } }))
        .body.key as string;
      const chat = async (key: string) =>
        (
          await fetch(`${app.url}/api/v1/chat/completions`, {
            method: "POST",
            headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
            body: JSON.stringify({ model: "t/keyless", messages: [{ role: "user", content: "hi" }], max_tokens: 5 }),
          })
        ).status;
      counting.sent.length = 0;
      const freeStatuses = [];
      for (let i = 0; i < 5; i++) freeStatuses.push(await chat(free));
      expect(freeStatuses).toEqual([404, 404, 404, 404, 404]);
      expect(counting.sent).toEqual([]);
      const limitedStatuses = [];
      for (let i = 0; i < 3; i++) limitedStatuses.push(await chat(limited));
      expect(limitedStatuses).toEqual([404, 404, 429]);
      expect(counting.sent).toHaveLength(3);
    });
  });

  describe("in the key objects", () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp(kind, { config: { redisUrl: REDIS_URL }, deps: { clock } });
    });
    afterAll(() => app.close());

    it("shows rate_limit in OpenRouter's shape on GET /key, /auth/key and the keys routes, set by POST and PATCH", async () => {
      const { managementKey } = await createAccountViaAdmin(app.url);
      const created = await call(app.url, "/api/v1/keys", managementKey, { method: "POST", body: { name: "k", rate_limit: { requests: 20, interval: "10s" } } });
      expect(created.status).toBe(201);
      const limitedShape = { requests: 20, interval: "10s", note: expect.any(String) };
      expect(created.body.data.rate_limit).toEqual(limitedShape);
      const key = created.body.key as string;
      const hash = created.body.data.hash as string;
      for (const path of ["/api/v1/key", "/api/v1/auth/key"]) expect((await call(app.url, path, key)).body.data.rate_limit).toEqual(limitedShape);
      expect((await call(app.url, `/api/v1/keys/${hash}`, managementKey)).body.data.rate_limit).toEqual(limitedShape);
      expect((await call(app.url, "/api/v1/keys", managementKey)).body.data[0].rate_limit).toEqual(limitedShape);
      expect((await call(app.url, "/api/v1/key", managementKey)).body.data.rate_limit).toEqual(UNLIMITED);

      // PATCH without rate_limit leaves it alone; with one changes it; null removes it.
      expect((await call(app.url, `/api/v1/keys/${hash}`, managementKey, { method: "PATCH", body: { name: "renamed" } })).body.data.rate_limit).toEqual(limitedShape);
      const patched = await call(app.url, `/api/v1/keys/${hash}`, managementKey, { method: "PATCH", body: { rate_limit: { requests: 1 } } });
      expect(patched.body.data.rate_limit).toEqual({ requests: 1, interval: "1m", note: expect.any(String) });
      expect((await call(app.url, `/api/v1/keys/${hash}/rate-limit`, managementKey)).body.data.rate_limit).toEqual(patched.body.data.rate_limit);
      expect(await statusesOf([[app.url, key], [app.url, key]])).toEqual([200, 429]);
      const removed = await call(app.url, `/api/v1/keys/${hash}`, managementKey, { method: "PATCH", body: { rate_limit: null } });
      expect(removed.body.data.rate_limit).toEqual(UNLIMITED);
      expect((await call(app.url, "/api/v1/key", key)).body.data.rate_limit).toEqual(UNLIMITED);
    });

    it("refuses a rate limit on a management key", async () => {
      const { managementKey } = await createAccountViaAdmin(app.url);
      const self = (await call(app.url, "/api/v1/key", managementKey)).body.data.hash as string;
      const patched = await call(app.url, `/api/v1/keys/${self}`, managementKey, { method: "PATCH", body: { rate_limit: { requests: 1 } } });
      expect(patched.status).toBe(404);
      expect((await call(app.url, `/api/v1/keys/${self}/rate-limit`, managementKey, { method: "PUT", body: { requests: 1 } })).status).toBe(404);
      expect((await call(app.url, "/api/v1/key", managementKey)).status).toBe(200);
    });
  });

  describe("with Redis down", () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp(kind, { config: { redisUrl: "redis://127.0.0.1:1" }, deps: { clock } });
    });
    afterAll(() => app.close());

    it("stores settings and lets requests through uncounted", async () => {
      const { managementKey } = await createAccountViaAdmin(app.url);
      const created = await call(app.url, "/api/v1/keys", managementKey, { method: "POST", body: { name: "k" } });
      expect(created.status).toBe(201);
      const key = created.body.key as string;
      const challenge = await fetch(`${app.url}/api/v1/auth/challenge`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ chain: "evm", address: "0x" + "cd".repeat(20) }),
      });
      expect(challenge.status).toBe(200);
      const put = await call(app.url, `/api/v1/keys/${created.body.data.hash as string}/rate-limit`, managementKey, { method: "PUT", body: { requests: 1 } });
      expect(put.status).toBe(200);
      expect(await statusesOf([[app.url, key], [app.url, key]])).toEqual([200, 200]);
    });
  });

  describe("without REDIS_URL", () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp(kind, { deps: { clock } });
    });
    afterAll(() => app.close());

    it("enforces a key's limit within the process", async () => {
      const { managementKey } = await createAccountViaAdmin(app.url);
      const created = await call(app.url, "/api/v1/keys", managementKey, { method: "POST", body: { name: "k" } });
      const put = await call(app.url, `/api/v1/keys/${created.body.data.hash as string}/rate-limit`, managementKey, { method: "PUT", body: { requests: 2 } });
      expect(put.status).toBe(200);
      const key = created.body.key as string;
      expect(await statusesOf([[app.url, key], [app.url, key], [app.url, key]])).toEqual([200, 200, 429]);
    });
  });
});
