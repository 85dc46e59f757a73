import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serverSchema } from "../../src/config/server-schema.js";
import { dbKinds } from "../support/db.js";
import { startTestApp, type TestApp } from "../support/app.js";

const REDIS_URL = "redis://127.0.0.1:6379";
const address = "0x" + "ab".repeat(20);

async function challenge(url: string, clientAddress = "203.0.113.1") {
  const response = await fetch(`${url}/api/v1/auth/challenge`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": clientAddress },
    body: JSON.stringify({ chain: "evm", address }),
  });
  return { status: response.status, retryAfter: response.headers.get("retry-after"), body: (await response.json()) as Record<string, unknown> };
}

const randomOctet = () => Math.floor(Math.random() * 254) + 1;
const server = (overrides: Record<string, unknown>) => serverSchema.parse({ trust_proxy: true, ...overrides });

describe.each(dbKinds)("anonymous routes are rate-limited per client address (%s)", (kind) => {
  describe("in one process", () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp(kind, {
        config: {
          server: server({
            rate_limits: { sign_in: { max: 3, window_ms: 60_000 }, anonymous: { max: 5, window_ms: 60_000 }, keyless_inference: { max: 2, window_ms: 60_000 } },
          }),
        },
      });
    });
    afterAll(() => app.close());

    it("answers 429 in the envelope with Retry-After past the sign-in budget, for that address only", async () => {
      for (let i = 0; i < 3; i++) expect((await challenge(app.url)).status).toBe(200);
      const refused = await challenge(app.url);
      expect(refused.status).toBe(429);
      expect(Number(refused.retryAfter)).toBeGreaterThan(0);
      expect(refused.body).toMatchObject({ error: { code: 429, message: expect.stringMatching(/rate limit/i), metadata: { error_type: "rate_limit_exceeded" } } });
      // Verify shares the sign-in budget; another address has its own; the public reads have theirs.
      const verify = await fetch(`${app.url}/api/v1/auth/verify`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": "203.0.113.1" },
        body: JSON.stringify({ message: "x", signature: "y" }),
      });
      expect(verify.status).toBe(429);
      expect((await challenge(app.url, "203.0.113.2")).status).toBe(200);
      const models = await fetch(`${app.url}/api/v1/models`, { headers: { "x-forwarded-for": "203.0.113.1" } });
      expect(models.status).toBe(200);
    });

    it("limits the public reads too, but never health checks", async () => {
      const get = (path: string) => fetch(`${app.url}${path}`, { headers: { "x-forwarded-for": "203.0.113.9" } }).then((r) => r.status);
      const statuses = [];
      for (let i = 0; i < 6; i++) statuses.push(await get("/api/v1/models"));
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
      for (let i = 0; i < 10; i++) expect(await get("/health")).toBe(200);
    });

    it("limits inference calls sent without a key (paid per request), never those with a key", async () => {
      const call = (path: string, headers: Record<string, string>) =>
        fetch(`${app.url}${path}`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-forwarded-for": "203.0.113.20", ...headers },
          body: JSON.stringify({ model: "test/none", messages: [{ role: "user", content: "hi" }] }),
        }).then((r) => r.status);
      // without x402 configured a keyless call is a 401; the budget is the same whatever the answer
      expect(await call("/api/v1/chat/completions", {})).toBe(401);
      expect(await call("/v1/messages", {})).toBe(401);
      expect(await call("/api/v1/responses", {})).toBe(429);
      for (let i = 0; i < 4; i++) expect(await call("/api/v1/chat/completions", { authorization: "Bearer sk-fb-not-a-key" })).toBe(401);
      expect(await call("/api/v1/messages", { "x-api-key": "sk-fb-not-a-key" })).toBe(401);
    });
  });

  describe("which requests are counted", () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp(kind, {
        config: { server: server({ rate_limits: { anonymous: { max: 2, window_ms: 60_000 }, keyless_inference: { max: 2, window_ms: 60_000 } } }) },
      });
    });
    afterAll(() => app.close());

    it("counts (with its headers) keyless inference calls only; keyed ones and routes of no group are never counted", async () => {
      const chat = (headers: Record<string, string>) =>
        fetch(`${app.url}/api/v1/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-forwarded-for": "203.0.113.30", ...headers },
          body: JSON.stringify({ model: "test/none", messages: [{ role: "user", content: "hi" }] }),
        });
      const keyed = await chat({ authorization: "Bearer sk-fb-not-a-key" });
      expect(keyed.status).toBe(401);
      expect(keyed.headers.get("x-ratelimit-limit")).toBeNull();
      const keyless = await chat({});
      expect(keyless.status).toBe(401);
      expect([keyless.headers.get("x-ratelimit-limit"), keyless.headers.get("x-ratelimit-remaining")]).toEqual(["2", "1"]);
      // a route of no group: never counted, whatever the address sends
      for (let i = 0; i < 4; i++) {
        const response = await fetch(`${app.url}/api/v1/key`, { headers: { "x-forwarded-for": "203.0.113.30" } });
        expect(response.status).toBe(401);
        expect(response.headers.get("x-ratelimit-limit")).toBeNull();
      }
      // the keyed call above was not counted: the keyless budget has one call left, then 429
      expect((await chat({})).status).toBe(401);
      expect((await chat({})).status).toBe(429);
      const publicRead = await fetch(`${app.url}/api/v1/models`, { headers: { "x-forwarded-for": "203.0.113.30" } });
      expect(publicRead.headers.get("x-ratelimit-limit")).toBe("2");
    });
  });

  describe("bounded challenge table", () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp(kind, { config: { server: server({ max_open_sign_in_challenges: 2 }) } });
    });
    afterAll(() => app.close());

    it("refuses new challenges with 503 while the cap of open ones is reached", async () => {
      expect((await challenge(app.url, "198.51.100.1")).status).toBe(200);
      expect((await challenge(app.url, "198.51.100.2")).status).toBe(200);
      const refused = await challenge(app.url, "198.51.100.3");
      expect(refused.status).toBe(503);
      expect(refused.retryAfter).toBe("60");
      expect(refused.body).toMatchObject({ error: { code: 503, metadata: { reason: "challenge_capacity" } } });
    });
  });

  describe("across two processes sharing Redis", () => {
    let first: TestApp;
    let second: TestApp;
    let redis: Redis;
    beforeAll(async () => {
      // A fresh key space per run, so earlier runs' counters never count here.
      redis = new Redis(REDIS_URL);
      const config = { server: server({ rate_limits: { sign_in: { max: 3, window_ms: 60_000 }, anonymous: { max: 300, window_ms: 60_000 } } }) };
      first = await startTestApp(kind, { config, deps: { redis } });
      second = await startTestApp(kind, { config, deps: { redis } });
    });
    afterAll(async () => {
      await first.close();
      await second.close();
      redis.disconnect();
    });

    it("counts one budget for an address whichever process it calls", async () => {
      const client = `10.${randomOctet()}.${randomOctet()}.${randomOctet()}`;
      const statuses = [];
      for (const url of [first.url, second.url, first.url, second.url]) statuses.push((await challenge(url, client)).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
    });
  });
});
