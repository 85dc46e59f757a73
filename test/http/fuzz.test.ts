/**
 * Property-based fuzzing of the whole HTTP API (issue 11 §3): every route the app registers
 * (read from the app itself, so new routes are fuzzed without touching this file) is called
 * through `app.inject` with random and hostile path parameters, query strings, bodies (JSON with
 * NUL, unpaired surrogates, huge and unicode strings, extreme numbers; malformed JSON; bytes that
 * are not UTF-8), content types, headers and keys (a management key, an inference key, the admin
 * token, garbage, none). Chat calls reach fake upstreams on loopback, never the network.
 *
 * The property: no answer is a 5xx, and every 4xx is OpenRouter's envelope with `code` equal to
 * the status (on the Anthropic Messages routes, Anthropic's envelope). Afterwards the ledger audit still passes.
 *
 * Deterministic per seed: FUZZ_SEED picks the seed (a fixed default otherwise) and FUZZ_RUNS the
 * number of requests per backend; a failure prints the seed and the shrunk counterexample, and
 * `FUZZ_SEED=<seed> npx vitest run test/http/fuzz.test.ts` replays it.
 */
import fc from "fast-check";
import type { InjectOptions } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../gateway/harness.js";
import { TEST_ADMIN_TOKEN } from "../support/app.js";
import { dbKinds } from "../support/db.js";
import { registeredRoutes, type RegisteredRoute } from "../support/routes.js";

const SEED = Number(process.env.FUZZ_SEED ?? 20261130);
const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);

/** Single characters a hostile client likes: NUL, lone surrogates, controls, bidi, quotes, astral. */
const hostileUnit = fc.oneof(
  fc.constantFrom("\u0000", "\ud800", "\udbff", "\udc00", "\udfff", "\u0001", "\u001f", "\u007f", "\u202e", "\ufeff", "\uffff", "\u2028"),
  fc.constantFrom("'", '"', "\\", "%", "/", "?", "#", "&", "=", ":", ";", "\n", "\r", "\t", " ", "é", "ß", "中", "\u{1F600}", "\u{1D54F}"),
  fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
  fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }),
);

const hostileString = fc.oneof(
  { weight: 5, arbitrary: fc.string({ unit: hostileUnit, maxLength: 40 }) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      "",
      " ",
      "x\u0000",
      "\ud800",
      "a\udc00b",
      "NaN",
      "Infinity",
      "-Infinity",
      "-0",
      "1e309",
      "1e-400",
      "0x10",
      "9223372036854775808",
      "9223372036854.775808",
      "-9223372036854775809",
      "1.0000000001",
      "00012",
      "__proto__",
      "constructor",
      "' or 1=1 --",
      "${jndi:x}",
      "../../etc/passwd",
      "%00",
      "%ff%fe",
      "true",
      "null",
      "2026-02-30",
      "0000-01-01",
      "0001-01-10",
      "1969-12-31",
      "1970-01-01T00:00:00Z",
      "9999-12-31T23:59:59.999Z",
      "daily",
      "test/chat",
      "test/chat:nitro",
      "farebox/auto",
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom("x".repeat(257), "\u{1F600}".repeat(5_000), "a".repeat(70_000)) },
);

const hostileNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 1, 2 ** 31, 2 ** 53 + 2, -(2 ** 63), 1e21, 1e300, -1e300, Number.MAX_VALUE, Number.MIN_VALUE, 0.1, 1.5, 1e-10),
);

const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: hostileString },
  { weight: 2, arbitrary: hostileNumber },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3, stringUnit: hostileUnit }) },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}) },
);

/** Names the routes read, so hostile values land in fields that matter, not only in ignored ones. */
const FIELDS = [
  "name", "limit", "limit_reset", "include_byok_in_limit", "expires_at", "disabled", "amount_usd", "reason", "idempotency_key",
  "account_id", "chain", "chain_id", "asset", "address", "message", "signature", "api_key", "always_use", "model", "models",
  "messages", "stream", "max_tokens", "max_completion_tokens", "user", "session_id", "metadata", "provider", "temperature",
  "tools", "tool_choice", "response_format", "stop", "seed", "reasoning", "prompt", "suffix", "echo", "logprobs", "n", "__proto__", "constructor",
] as const;
const QUERY = ["id", "key", "limit", "offset", "from", "to", "date", "group_by", "format", "include_disabled", "__proto__"] as const;

/** Mostly `usual`, sometimes hostile: deep code paths are reached only past the validation of the other fields. */
const usually = <T,>(usual: fc.Arbitrary<T>, weight = 15) => fc.oneof({ weight, arbitrary: usual }, { weight: 1, arbitrary: hostileJson });

const chatBody = fc.record(
  {
    model: usually(fc.constantFrom("test/chat", "test/alpha-only", "test/backup", "test/chat:floor", "test/chat:nitro")),
    models: usually(fc.array(fc.constantFrom("test/backup", "test/chat", "none/such"), { maxLength: 3 })),
    messages: usually(
      fc.array(
        fc.record({
          role: fc.oneof({ weight: 8, arbitrary: fc.constantFrom("user", "system", "assistant") }, { weight: 1, arbitrary: fc.constantFrom("tool", "nobody") }),
          content: fc.oneof({ weight: 12, arbitrary: fc.string({ unit: hostileUnit, maxLength: 30 }) }, { weight: 1, arbitrary: hostileJson }),
        }),
        { minLength: 1, maxLength: 3 },
      ),
    ),
    stream: usually(fc.boolean()),
    max_tokens: usually(fc.integer({ min: 1, max: 50 })),
    user: usually(fc.constantFrom("alice", "\u{1F600}", "user-42")),
    session_id: usually(fc.constantFrom("s1", "conversation-7")),
    metadata: usually(fc.dictionary(fc.constantFrom("a", "b", "trace"), fc.constantFrom("1", "x"))),
    provider: usually(fc.record({ order: fc.constant(["beta", "alpha"]), allow_fallbacks: fc.boolean() }, { requiredKeys: [] })),
    temperature: usually(fc.double({ min: 0, max: 2, noNaN: true })),
  },
  { requiredKeys: ["messages", "model"] },
);

const chatPayload = chatBody.map((value) => ({ payload: JSON.stringify(value) as string | Buffer | undefined }));

/** A Responses body: its items, tools and settings mostly well-formed, sometimes hostile. */
const responsesBody = fc.record(
  {
    model: usually(fc.constantFrom("test/chat", "test/alpha-only", "test/backup")),
    input: usually(
      fc.oneof(
        fc.string({ unit: hostileUnit, maxLength: 30 }),
        fc.array(
          fc.oneof(
            fc.record({ role: fc.constantFrom("user", "system", "developer", "assistant"), content: fc.oneof(fc.string({ maxLength: 20 }), hostileJson) }),
            fc.record({ type: fc.constant("function_call"), call_id: fc.constantFrom("c1", ""), name: fc.constant("f"), arguments: fc.constantFrom("{}", "x") }),
            fc.record({ type: fc.constant("function_call_output"), call_id: fc.constant("c1"), output: fc.oneof(fc.string({ maxLength: 20 }), hostileJson) }),
            fc.record({ type: fc.constant("reasoning"), summary: usually(fc.constant([])), encrypted_content: usually(fc.string({ maxLength: 20 })) }, { requiredKeys: ["type"] }),
            hostileJson,
          ),
          { minLength: 1, maxLength: 4 },
        ),
      ),
    ),
    instructions: usually(fc.string({ unit: hostileUnit, maxLength: 20 })),
    stream: usually(fc.boolean()),
    max_output_tokens: usually(fc.integer({ min: 1, max: 50 })),
    store: usually(fc.boolean(), 3),
    previous_response_id: fc.oneof(fc.constant(null), hostileJson),
    tools: usually(fc.constant([{ type: "function", name: "f", parameters: { type: "object" } }])),
    tool_choice: usually(fc.constantFrom("auto", "none", "required", { type: "function", name: "f" })),
    text: usually(fc.constantFrom({ format: { type: "text" } }, { format: { type: "json_schema", name: "x", schema: { type: "object" } } })),
    reasoning: usually(fc.record({ effort: fc.constantFrom("low", "high"), summary: fc.constantFrom("auto", "detailed") }, { requiredKeys: [] })),
    include: usually(fc.constant(["reasoning.encrypted_content"])),
    user: usually(fc.constantFrom("alice", "\u{1F600}")),
  },
  { requiredKeys: ["input", "model"] },
);
const responsesPayload = responsesBody.map((value) => ({ payload: JSON.stringify(value) as string | Buffer | undefined }));

const text = fc.string({ unit: hostileUnit, maxLength: 30 });
const messagesBlock = fc.oneof(
  { weight: 6, arbitrary: fc.record({ type: fc.constant("text"), text, cache_control: usually(fc.constant({ type: "ephemeral" })) }, { requiredKeys: ["type", "text"] }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant("image"), source: fc.record({ type: fc.constantFrom("base64", "url", "file"), media_type: fc.constant("image/png"), data: text, url: text }) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant("document"), source: fc.record({ type: fc.constantFrom("base64", "text", "url", "content"), media_type: fc.constant("application/pdf"), data: text }) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant("tool_use"), id: fc.constantFrom("t1", "t2"), name: fc.constant("f"), input: usually(fc.constant({ a: 1 })) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant("tool_result"), tool_use_id: fc.constantFrom("t1", "t2"), content: fc.oneof(text, fc.array(fc.record({ type: fc.constant("text"), text }), { maxLength: 2 })) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constantFrom("thinking", "redacted_thinking", "server_tool_use"), thinking: text, signature: text, data: text }) },
);
/** Anthropic Messages bodies (the /messages routes). */
const messagesPayload = fc
  .record(
    {
      model: usually(fc.constantFrom("test/chat", "test/alpha-only", "test/backup")),
      max_tokens: usually(fc.integer({ min: 1, max: 50 })),
      system: usually(fc.oneof(text, fc.array(fc.record({ type: fc.constant("text"), text }), { maxLength: 2 }))),
      messages: usually(
        fc.array(fc.record({ role: fc.constantFrom("user", "assistant"), content: fc.oneof(text, fc.array(messagesBlock, { minLength: 1, maxLength: 3 })) }), { minLength: 1, maxLength: 3 }),
      ),
      stream: usually(fc.boolean()),
      thinking: usually(fc.oneof(fc.record({ type: fc.constant("enabled"), budget_tokens: fc.integer({ min: 1, max: 40 }) }), fc.constant({ type: "disabled" }))),
      tools: usually(fc.array(fc.record({ name: fc.constant("f"), input_schema: fc.constant({ type: "object" }) }), { maxLength: 1 })),
      tool_choice: usually(fc.constantFrom({ type: "auto" }, { type: "any" }, { type: "none" }, { type: "tool", name: "f" })),
      metadata: usually(fc.record({ user_id: text })),
      temperature: usually(fc.double({ min: 0, max: 1.5, noNaN: true })),
    },
    { requiredKeys: ["messages", "model"] },
  )
  .map((value) => ({ payload: JSON.stringify(value) as string | Buffer | undefined }));

/** Routes that call models, with an inference key. */
const isInference = (path: string) => /\/(completions|responses|embeddings)$/.test(path) || path.includes("/messages");
/** Routes that answer in Anthropic's error envelope. */
const isMessages = (path: string) => path.includes("/messages");

const body = fc.oneof(
  { weight: 1, arbitrary: fc.constant<{ payload?: string | Buffer }>({}) },
  { weight: 4, arbitrary: fc.dictionary(fc.constantFrom(...FIELDS), hostileJson, { maxKeys: 6 }).map((value) => ({ payload: JSON.stringify(value) })) },
  { weight: 1, arbitrary: chatPayload },
  { weight: 1, arbitrary: hostileJson.map((value) => ({ payload: JSON.stringify(value) ?? "" })) },
  {
    weight: 1,
    arbitrary: fc.oneof(
      hostileString,
      fc.constantFrom("{", "[", '{"a":', "nul", "1e999", '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{}}}', "\u0000"),
    ).map((payload) => ({ payload })),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ payload: Buffer.from([0x7b, 0xff, 0xfe, ...bytes]) })) },
);

const contentType = fc.oneof(
  { weight: 8, arbitrary: fc.constant<string | undefined>("application/json") },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "application/json; charset=utf-8",
      "application/json; charset=latin1",
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/xml",
      "garbage",
      "",
      undefined,
    ),
  },
);

/** Header values as they can arrive over HTTP: visible ASCII, latin-1 and tabs (node refuses NUL and other controls). */
const headerValue = fc.string({ unit: fc.constantFrom(..."aZ09 -_./:;=\t\u00e9\u00ff\u0080%\"'<>".split("")), maxLength: 80 });

/** A path or query value: percent-encoded when it can be, raw bad percent-escapes otherwise. */
function encodeComponent(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return "%ED%A0%80"; // a lone surrogate has no UTF-8 encoding: send the bytes a client would
  }
}
const rawComponent = fc.constantFrom("0000-01-01", "0001-01-10", "9999-12-31", "-1", "1e300", "9223372036854775808", "%ff%fe", "%", "%zz", "%00", "%C0%80", "..", "%2e%2e", "a%2Fb", "%ED%A0%80");

describe.each(dbKinds)("HTTP fuzzing on %s", (kind) => {
  let h: Harness;
  let routes: RegisteredRoute[];
  let inferenceKey: string;
  let sacrificialHash: string;

  beforeAll(async () => {
    h = await startHarness({ kind, byok: { feeBps: 0 } });
    routes = registeredRoutes(h.app);
    inferenceKey = h.key;
    const created = await h.app.inject({
      method: "POST",
      url: "/api/v1/keys",
      headers: { authorization: `Bearer ${h.managementKey}` },
      payload: { name: "fuzzed" },
    });
    sacrificialHash = (created.json() as { data: { hash: string } }).data.hash;
  });
  afterAll(async () => {
    expect(await h.settledAudit()).toEqual({ ok: true, problems: [] });
    await h.close();
  });

  it("enumerates the app's routes, chat and admin ones included", () => {
    const names = routes.map((route) => `${route.method} ${route.path}`);
    expect(names).toEqual(
      expect.arrayContaining([
        "POST /api/v1/chat/completions",
        "POST /v1/chat/completions",
        "POST /api/v1/completions",
        "POST /v1/completions",
        "POST /api/v1/responses",
        "POST /v1/responses",
        "POST /api/v1/messages",
        "POST /v1/messages/count_tokens",
        "POST /api/v1/embeddings",
        "GET /api/v1/keys/:hash",
        "PATCH /api/v1/keys/:hash",
        "POST /api/v1/admin/accounts/:id/credits",
        "PUT /api/v1/byok/:id",
        "POST /api/v1/byok",
        "GET /v1/keys",
        "GET /api/v1/models/:author/:slug/endpoints",
        "GET /api/v1/generation",
        "GET /api/v1/activity",
        "GET /health",
      ]),
    );
    expect(routes.length).toBeGreaterThanOrEqual(35);
  });

  it(`answers ${RUNS} random and hostile requests without a 5xx, every error in the envelope (seed ${SEED})`, { timeout: 120_000 }, async () => {
    const knownParam = fc.constantFrom(h.accountId, sacrificialHash, "alpha", "gamma", "test", "chat", "gen-0-x", "acct_nope");
    const paramValue = fc.oneof(
      { weight: 3, arbitrary: knownParam },
      { weight: 3, arbitrary: hostileString.map(encodeComponent) },
      { weight: 1, arbitrary: rawComponent },
    );
    const query = fc.array(
      fc.tuple(fc.constantFrom(...QUERY), fc.oneof(hostileString.map(encodeComponent), rawComponent, knownParam)),
      { maxLength: 4 },
    );
    const keys = { management: `Bearer ${h.managementKey}`, inference: `Bearer ${inferenceKey}`, admin: `Bearer ${TEST_ADMIN_TOKEN}` };
    /** Mostly the key the route takes (so its handler runs), sometimes another valid one, garbage or none. */
    const authorization = (route: RegisteredRoute) =>
      fc.oneof(
        { weight: 6, arbitrary: fc.constant(route.path.includes("/admin/") ? keys.admin : isInference(route.path) ? keys.inference : keys.management) },
        { weight: 2, arbitrary: fc.constantFrom(keys.management, keys.inference, keys.admin) },
        {
          weight: 1,
          arbitrary: fc.constantFrom(undefined, "Bearer", "Bearer ", "Basic YTpi", `Bearer sk-fb-v1-${"0".repeat(64)}`, `bearer ${h.managementKey}`),
        },
        { weight: 1, arbitrary: headerValue.map((value) => `Bearer ${value}`) },
      );
    // inference routes have the most fields and reach the ledger and the upstream: they get more of the runs
    const route = fc.oneof(...routes.map((r) => ({ weight: isInference(r.path) ? 10 : 1, arbitrary: fc.constant(r) })));
    const request = route.chain((route) =>
      fc.record({
        route: fc.constant(route),
        params: fc.array(paramValue, { minLength: 4, maxLength: 4 }),
        query,
        body: route.path.endsWith("/chat/completions")
          ? fc.oneof({ weight: 4, arbitrary: chatPayload }, { weight: 1, arbitrary: body })
          : route.path.endsWith("/responses")
            ? fc.oneof({ weight: 4, arbitrary: responsesPayload }, { weight: 1, arbitrary: body })
            : isMessages(route.path)
              ? fc.oneof({ weight: 4, arbitrary: messagesPayload }, { weight: 1, arbitrary: body })
            : body,
        contentType,
        authorization: authorization(route),
        extra: fc.dictionary(
          fc.constantFrom("x-title", "http-referer", "referer", "x-session-id", "accept", "accept-encoding", "x-forwarded-for"),
          headerValue,
          { maxKeys: 3 },
        ),
      }),
    );

    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        let index = 0;
        const path = r.route.path.replace(/:[A-Za-z_]+/g, () => r.params[index++ % r.params.length]!);
        const search = r.query.map(([name, value]) => `${name}=${value}`).join("&");
        const headers: Record<string, string> = { ...r.extra };
        if (r.authorization !== undefined) headers.authorization = r.authorization;
        if (r.contentType !== undefined && r.body.payload !== undefined) headers["content-type"] = r.contentType;
        const options: InjectOptions = { method: r.route.method as InjectOptions["method"], url: search ? `${path}?${search}` : path, headers };
        if (r.body.payload !== undefined && r.route.method !== "GET") options.payload = r.body.payload;
        const response = await h.app.inject(options);
        const where = `${r.route.method} ${options.url} → ${response.statusCode} ${response.body.slice(0, 300)}`;
        expect(response.statusCode, where).toBeLessThan(500);
        if (response.statusCode >= 400 && isMessages(r.route.path)) {
          const envelope = JSON.parse(response.body) as { type?: unknown; error?: { type?: unknown; message?: unknown; error_type?: unknown } };
          expect(envelope.type, where).toBe("error");
          expect(typeof envelope.error?.type, where).toBe("string");
          expect(typeof envelope.error?.message, where).toBe("string");
          expect(typeof envelope.error?.error_type, where).toBe("string");
        } else if (response.statusCode >= 400) {
          const envelope = JSON.parse(response.body) as { error?: { code?: unknown; message?: unknown; metadata?: { error_type?: unknown } } };
          expect(envelope.error?.code, where).toBe(response.statusCode);
          expect(typeof envelope.error?.message, where).toBe("string");
          expect(typeof envelope.error?.metadata?.error_type, where).toBe("string");
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
