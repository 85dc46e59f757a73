/**
 * Every input a client can send gets a clear 4xx in OpenRouter's envelope, never a 500: text the
 * database cannot store (NUL, unpaired surrogates) is refused before any upstream is called,
 * amounts are bounded, and errors fastify or node's HTTP parser answer themselves (bad URL
 * encoding, long path parameters, oversized or malformed headers) use the envelope too.
 */
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../gateway/harness.js";
import { TEST_ADMIN_TOKEN } from "../support/app.js";
import { dbKinds } from "../support/db.js";

interface Answer {
  status: number;
  body: unknown;
}

/** Asserts `answer` is a 4xx (or exactly `status`) in the envelope whose `code` mirrors it. */
function expectEnvelope(answer: Answer, status: number): void {
  expect(answer.status).toBe(status);
  expect(answer.body).toEqual({
    error: { code: status, message: expect.any(String), metadata: expect.objectContaining({ error_type: expect.any(String) }) },
  });
}

/** Sends raw bytes and returns the status line's code and the parsed body. */
function rawRequest(url: string, bytes: string): Promise<Answer> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), "127.0.0.1", () => socket.write(bytes, "latin1"));
    let received = "";
    socket.on("data", (chunk) => (received += chunk.toString("utf8")));
    socket.on("error", reject);
    socket.on("close", () => {
      const [head = "", body = ""] = received.split("\r\n\r\n");
      resolve({ status: Number(head.split(" ")[1]), body: JSON.parse(body) });
    });
  });
}

describe.each(dbKinds)("hostile input on %s", (kind) => {
  let h: Harness;
  const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, "content-type": "application/json" };
  const management = () => ({ authorization: `Bearer ${h.managementKey}`, "content-type": "application/json" });
  const call = async (path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> => {
    const response = await fetch(`${h.url}${path}`, { method: init.method ?? "GET", headers: init.headers ?? {}, body: init.body });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
  // JSON.stringify writes a lone surrogate as the escape \ud800, which is what a hostile client sends
  const json = (value: unknown) => JSON.stringify(value);

  beforeAll(async () => {
    h = await startHarness({ kind });
  });
  afterAll(async () => {
    expect(await h.settledAudit()).toEqual({ ok: true, problems: [] });
    await h.close();
  });

  describe("chat text the database cannot store is refused before the upstream is called", () => {
    for (const user of ["x\u0000", "\ud800", "a\udc00b"]) {
      for (const stream of [false, true]) {
        it(`user ${JSON.stringify(user)}, stream ${stream}: 400, no upstream call, no hold left`, async () => {
          const before = h.alpha.requests.length + h.beta.requests.length;
          const answer = await call("/api/v1/chat/completions", {
            method: "POST",
            headers: { authorization: `Bearer ${h.key}`, "content-type": "application/json" },
            body: json({ model: "test/chat", stream, user, messages: [{ role: "user", content: "Hi" }], max_tokens: 5 }),
          });
          expectEnvelope(answer, 400);
          expect((answer.body as { error: { message: string } }).error.message).toMatch(/^Invalid user: must not contain NUL/);
          expect(h.alpha.requests.length + h.beta.requests.length).toBe(before);
          expect(await h.openHolds()).toBe(0);
        });
      }
    }

    it("refuses the same in model, models, session_id and metadata; accepts a paired surrogate (an emoji)", async () => {
      const headers = { authorization: `Bearer ${h.key}`, "content-type": "application/json" };
      const base = { model: "test/chat", messages: [{ role: "user", content: "Hi" }], max_tokens: 5 };
      const before = h.alpha.requests.length + h.beta.requests.length;
      for (const extra of [
        { model: "test/chat\u0000" },
        { model: undefined, models: ["\ud800", "test/chat"] },
        { session_id: "s\u0000" },
        { metadata: { k: "\udfff" } },
        { metadata: { "k\u0000": "v" } },
      ]) {
        expectEnvelope(await call("/api/v1/chat/completions", { method: "POST", headers, body: json({ ...base, ...extra }) }), 400);
      }
      expect(h.alpha.requests.length + h.beta.requests.length).toBe(before);
      h.alpha.setScript({ text: "ok", usage: { prompt: 3, completion: 1 } });
      const served = await call("/api/v1/chat/completions", { method: "POST", headers, body: json({ ...base, user: "emoji \u{1F600}" }) });
      expect(served.status).toBe(200);
    });
  });

  describe("the 500s of issue 11 §3 are 4xx in the envelope", () => {
    it("GET /api/v1/generation?id=%00 and GET /api/v1/activity?key=%00", async () => {
      expectEnvelope(await call("/api/v1/generation?id=%00", { headers: management() }), 400);
      expectEnvelope(await call("/api/v1/activity?key=%00", { headers: management() }), 400);
      // Postgres has no year 0: found by the fuzz suite
      expectEnvelope(await call("/api/v1/activity?to=0000-01-01", { headers: management() }), 400);
      expectEnvelope(await call("/api/v1/activity?to=0001-01-10", { headers: management() }), 400);
    });

    it("POST /api/v1/keys with a NUL in the name, and a limit beyond any sane amount on POST and PATCH", async () => {
      expectEnvelope(await call("/api/v1/keys", { method: "POST", headers: management(), body: json({ name: "a\u0000b" }) }), 400);
      expectEnvelope(await call("/api/v1/keys", { method: "POST", headers: management(), body: json({ name: "big", limit: "9223372037" }) }), 400);
      expectEnvelope(await call("/api/v1/keys", { method: "POST", headers: management(), body: json({ name: "big", limit: 1e300 }) }), 400);
      const created = await call("/api/v1/keys", { method: "POST", headers: management(), body: json({ name: "ok", limit: "1000000000" }) });
      expect(created.status).toBe(201);
      const hash = (created.body as { data: { hash: string } }).data.hash;
      expectEnvelope(await call(`/api/v1/keys/${hash}`, { method: "PATCH", headers: management(), body: json({ limit: "9223372037" }) }), 400);
      expectEnvelope(await call(`/api/v1/keys/${hash}`, { method: "PATCH", headers: management(), body: json({ name: "\ud800" }) }), 400);
    });

    it("admin: NUL in name, reason, idempotency_key or account id, and amount_usd beyond the bound", async () => {
      expectEnvelope(await call("/api/v1/admin/accounts", { method: "POST", headers: admin, body: json({ name: "a\u0000" }) }), 400);
      const credit = (id: string, body: unknown) => call(`/api/v1/admin/accounts/${id}/credits`, { method: "POST", headers: admin, body: json(body) });
      expectEnvelope(await credit(h.accountId, { amount_usd: "1", reason: "a\u0000" }), 400);
      expectEnvelope(await credit(h.accountId, { amount_usd: "1", reason: "r", idempotency_key: "k\u0000" }), 400);
      expectEnvelope(await credit("a%00b", { amount_usd: "1", reason: "r" }), 400);
      expectEnvelope(await credit(h.accountId, { amount_usd: "9223372036854.775808", reason: "r" }), 400);
      expectEnvelope(await credit(h.accountId, { amount_usd: "1000000000.000000001", reason: "r" }), 400);
      expectEnvelope(await credit(h.accountId, { amount_usd: "1".repeat(100), reason: "r" }), 400);
    });
  });

  describe("errors answered by the framework use the envelope", () => {
    it("a URL whose percent-encoding is not UTF-8: 400", async () => {
      expectEnvelope(await call("/api/v1/keys/%ff%fe", { headers: management() }), 400);
    });

    it("a path parameter over 100 characters: 414", async () => {
      expectEnvelope(await call(`/api/v1/keys/${"a".repeat(101)}`, { headers: management() }), 414);
    });

    it("headers over 16 KB: 431", async () => {
      expectEnvelope(await call("/api/v1/keys", { headers: { ...management(), "x-big": "a".repeat(20_000) } }), 431);
    });

    it("a NUL byte in a header and a request line that is not HTTP: 400", async () => {
      expectEnvelope(await rawRequest(h.url, "GET /health HTTP/1.1\r\nHost: x\r\nX-Title: a\u0000b\r\n\r\n"), 400);
      expectEnvelope(await rawRequest(h.url, "NOT HTTP AT ALL\r\n\r\n"), 400);
    });

    it("invalid JSON, an empty JSON body, an unsupported content-type, a body too large", async () => {
      expectEnvelope(await call("/api/v1/keys", { method: "POST", headers: management(), body: "{" }), 400);
      expectEnvelope(await call("/api/v1/keys", { method: "POST", headers: management(), body: "" }), 400);
      expectEnvelope(await call("/api/v1/keys", { method: "POST", headers: { ...management(), "content-type": "application/xml" }, body: "<a/>" }), 415);
      expectEnvelope(await call("/api/v1/keys", { method: "POST", headers: management(), body: `"${"x".repeat(17 * 1024 * 1024)}"` }), 413);
    });

    it("an unknown route or method: 404", async () => {
      expectEnvelope(await call("/api/v1/nothing-here"), 404);
      expectEnvelope(await call("/api/v1/keys", { method: "PUT" }), 404);
      expectEnvelope(await call("/api/v1/keys", { method: "OPTIONS" }), 404);
    });
  });
});
