/**
 * Served means charged: whatever an upstream reports as usage and whatever text a request
 * carries, an answered request leaves its usage and fee entries, its generation record, and an
 * audit that passes. Through the real app and a fake upstream speaking OpenAI's wire format.
 */
import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.js";
import type { Caller } from "../../src/gateway/ports.js";
import { startHarness, type Harness } from "../gateway/harness.js";
import { dbKinds } from "../support/db.js";
import type { FakeBehaviour } from "../support/fake-upstreams/index.js";
import { find, parsePrometheus } from "../metrics/parse-prometheus.js";

interface StoredGeneration {
  total: string;
  hold: string;
  uncollected: string;
  usage_estimated: boolean;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  external_user: string | null;
  app_title: string | null;
}

describe.each(dbKinds)("served means charged on %s", (kind) => {
  let h: Harness;
  let caller: Caller;
  beforeAll(async () => {
    h = await startHarness({ kind });
    const [key] = await queryRows<{ id: string }>(h.database.db, sql`select id from api_keys where account_id = ${h.accountId} and name = 'chat tests'`);
    caller = { accountId: h.accountId, keyId: key!.id };
  });
  afterAll(() => h.close());
  beforeEach(() => {
    h.alpha.setScript({});
  });
  afterEach(async () => {
    expect(await h.settledAudit()).toEqual({ ok: true, problems: [] });
    expect(await h.openHolds()).toBe(0);
  });

  /** Sends one chat request over HTTP; returns the status and the generation id. */
  async function chat(stream: boolean): Promise<{ status: number; id: string; body: string }> {
    const response = await fetch(`${h.url}/api/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${h.key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "test/chat", messages: [{ role: "user", content: "Hello" }], max_tokens: 50, stream }),
    });
    return { status: response.status, id: response.headers.get("x-generation-id") ?? "", body: await response.text() };
  }

  /** The generation's usage and fee entries (how many, and what they took), once written. */
  async function charge(id: string): Promise<{ entries: number; nano: bigint }> {
    await h.chat.gateway.drain();
    const [row] = await queryRows<{ n: string; charged: string }>(
      h.database.db,
      sql`select count(*)::text as n, coalesce(-sum(amount_nano), 0)::text as charged from ledger_entries
          where metadata->>'generation_id' = ${id} and kind in ('usage', 'fee')`,
    );
    return { entries: Number(row!.n), nano: BigInt(row!.charged) };
  }

  async function stored(id: string): Promise<StoredGeneration | undefined> {
    const [row] = await queryRows<StoredGeneration & Record<string, unknown>>(
      h.database.db,
      sql`select total_nano::text as total, hold_nano::text as hold, uncollected_nano::text as uncollected, usage_estimated,
                 prompt_tokens, completion_tokens, cached_tokens, external_user, app_title
          from generations where id = ${id}`,
    );
    return row;
  }

  const absurd: [string, FakeBehaviour][] = [
    ["1e15 prompt tokens", { usage: { prompt: 1e15, completion: 5 } }],
    ["1e300 completion tokens", { usage: { prompt: 10, completion: 1e300 } }],
    ["cached tokens far beyond the prompt", { usage: { prompt: 10, completion: 5, cached: 1e12 } }],
  ];
  describe.each([false, true])("stream: %s", (stream) => {
    it.each(absurd)("absurd usage (%s) is charged the whole hold, the record kept, the rest uncollected", async (_name, behaviour) => {
      h.alpha.setScript(behaviour);
      const answer = await chat(stream);
      expect(answer.status).toBe(200);
      const paid = await charge(answer.id);
      const record = await stored(answer.id);
      expect(record).toBeDefined();
      // the hold goes to the usage entry first (settlement.ts), so no fee is left to enter
      expect(paid.entries).toBe(1);
      expect(paid.nano).toBe(BigInt(record!.hold));
      expect(record!.total).toBe(record!.hold);
      expect(BigInt(record!.uncollected)).toBeGreaterThan(0n);
      expect(Math.max(record!.prompt_tokens, record!.completion_tokens, record!.cached_tokens)).toBe(2_147_483_647);
      const [entry] = await queryRows<{ uncollected: string }>(
        h.database.db,
        sql`select metadata->>'uncollected_nano' as uncollected from ledger_entries where metadata->>'generation_id' = ${answer.id}`,
      );
      // the entry keeps the exact amount; the record's bigint column holds it up to its range
      const exact = BigInt(entry!.uncollected);
      expect(exact > 9_223_372_036_854_775_807n ? "9223372036854775807" : exact.toString()).toBe(record!.uncollected);
    });

    const invalid: [string, Record<string, unknown>][] = [
      ["negative", { prompt_tokens: -5, completion_tokens: 7, total_tokens: 2 }],
      ["string", { prompt_tokens: "12", completion_tokens: "7", total_tokens: "19" }],
      ["zero", { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 }],
    ];
    it.each(invalid)("%s token counts are billed on an estimate, like missing usage", async (_name, rawUsage) => {
      h.alpha.setScript({ text: "x".repeat(40), rawUsage });
      const answer = await chat(stream);
      expect(answer.status).toBe(200);
      const paid = await charge(answer.id);
      const record = await stored(answer.id);
      expect(record).toMatchObject({ usage_estimated: true, completion_tokens: 10 });
      expect(record!.prompt_tokens).toBeGreaterThan(0);
      expect(paid.entries).toBe(2);
      expect(paid.nano).toBe(BigInt(record!.total));
      expect(paid.nano).toBeGreaterThan(0n);
    });

    // One no-charge rule for both paths (billed-usage.ts): served is charged, nothing served from a failed upstream is not.
    it("charges an empty answer the upstream completed: it processed the prompt", async () => {
      h.alpha.setScript({ text: "", usage: { prompt: 12, completion: 0 } });
      const answer = await chat(stream);
      expect(answer.status).toBe(200);
      const paid = await charge(answer.id);
      expect(await stored(answer.id)).toMatchObject({ prompt_tokens: 12, completion_tokens: 0, usage_estimated: false });
      expect(paid.entries).toBe(2);
      expect(paid.nano).toBeGreaterThan(0n);
      expect(paid.nano).toBe(BigInt((await stored(answer.id))!.total));
    });

    it("charges an answer that was delivered even when the upstream then says finish_reason error", async () => {
      h.alpha.setScript({ text: "half an answer", finish: "error", usage: { prompt: 12, completion: 4 } });
      const answer = await chat(stream);
      expect(answer.status).toBe(200);
      const paid = await charge(answer.id);
      expect(paid.entries).toBe(2);
      expect(paid.nano).toBe(BigInt((await stored(answer.id))!.total));
      expect(paid.nano).toBeGreaterThan(0n);
    });

    it("charges nothing when nothing was delivered and the upstream says finish_reason error", async () => {
      h.alpha.setScript({ text: "", finish: "error", usage: { prompt: 12, completion: 0 } });
      const balanceBefore = await h.balanceNano();
      const answer = await chat(stream);
      expect(answer.status).toBe(200);
      const paid = await charge(answer.id);
      expect(paid).toEqual({ entries: 0, nano: 0n });
      expect(await stored(answer.id)).toMatchObject({ total: "0", prompt_tokens: 12 });
      expect(await h.balanceNano()).toBe(balanceBefore);
    });
  });

  it("shows what could not be collected in /metrics", async () => {
    const parsed = parsePrometheus(await (await fetch(`${h.url}/metrics`)).text());
    expect(find(parsed, "farebox_uncollected_generations", {})[0]?.raw).toBe(String(absurd.length * 2));
    expect(BigInt(find(parsed, "farebox_uncollected_nano_usd", {})[0]?.raw ?? "0")).toBeGreaterThan(0n);
  });

  // The request's own fields refuse such text with a 400 (test/http/hostile-input.test.ts);
  // text that reaches the record another way (here the app's title and referer) is stored repaired and charged.
  it.each([
    ["a NUL", "x\u0000", "x\ufffd"],
    ["a lone surrogate", "\ud800", "\ufffd"],
  ])("a request whose app carries %s is charged and recorded", async (_name, text, storedText) => {
    const body = { model: "test/chat", messages: [{ role: "user", content: "Hello" }], max_tokens: 20 };
    const meta = { appTitle: `app ${text}`, httpReferer: `https://app.example/${text}` };
    const complete = await h.chat.gateway.complete(caller, body, meta);
    const streamed = await h.chat.gateway.stream(caller, { ...body, stream: true }, meta);
    let frames = "";
    for await (const frame of streamed.frames) frames += frame;
    expect(frames).toContain("[DONE]");
    for (const id of [complete.generationId, streamed.generationId]) {
      const paid = await charge(id);
      expect(paid.entries).toBe(2);
      const record = await stored(id);
      expect(record).toMatchObject({ app_title: `app ${storedText}` });
      expect(paid.nano).toBe(BigInt(record!.total));
    }
  });
});
