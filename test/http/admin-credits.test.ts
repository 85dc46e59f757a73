/**
 * Admin credits are idempotent per account: a retry with the same key and data answers the
 * original entry, the same key with other data is a 409, and another account's key of the same
 * name is a different credit (issue 11 §4).
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.js";
import { auditLedger, postEntry } from "../../src/ledger/index.js";
import { createAccountViaAdmin, startTestApp, TEST_ADMIN_TOKEN, type TestApp } from "../support/app.js";
import { dbKinds } from "../support/db.js";

describe.each(dbKinds)("admin credit idempotency on %s", (kind) => {
  let server: TestApp;
  const credit = async (accountId: string, body: Record<string, unknown>) => {
    const response = await fetch(`${server.url}/api/v1/admin/accounts/${accountId}/credits`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as { data?: Record<string, unknown>; error?: Record<string, unknown> } };
  };
  const balance = async (accountId: string) =>
    (await queryRows<{ b: string }>(server.database.db, sql`select balance_nano::text as b from accounts where id = ${accountId}`))[0]!.b;

  beforeAll(async () => {
    server = await startTestApp(kind);
  });
  afterAll(async () => {
    expect((await auditLedger(server.database.db)).problems).toEqual([]);
    await server.close();
  });

  it("a retry with the same key and data answers 200 duplicate with the original entry", async () => {
    const { accountId } = await createAccountViaAdmin(server.url);
    const first = await credit(accountId, { amount_usd: "10", reason: "welcome", idempotency_key: "k1" });
    expect(first.status).toBe(201);
    expect(first.body.data).toMatchObject({ duplicate: false, balance_usd: "10" });
    const again = await credit(accountId, { amount_usd: 10, reason: "welcome", idempotency_key: "k1" });
    expect(again.status).toBe(200);
    expect(again.body.data).toEqual({ entry_id: first.body.data!.entry_id, duplicate: true, balance_usd: "10" });
    expect(await balance(accountId)).toBe("10000000000");
  });

  it("the same key with another amount or reason is a 409 in the envelope and credits nothing", async () => {
    const { accountId } = await createAccountViaAdmin(server.url);
    expect((await credit(accountId, { amount_usd: "10", reason: "welcome", idempotency_key: "k1" })).status).toBe(201);
    const more = await credit(accountId, { amount_usd: "99", reason: "welcome", idempotency_key: "k1" });
    expect(more.status).toBe(409);
    expect(more.body).toEqual({
      error: {
        code: 409,
        message: expect.stringContaining("already used on this account with different data (amount_usd 10"),
        metadata: { error_type: "invalid_request", reason: "exists_with_different_data", entry_id: expect.any(String) },
      },
    });
    expect((await credit(accountId, { amount_usd: "10", reason: "other", idempotency_key: "k1" })).status).toBe(409);
    expect(await balance(accountId)).toBe("10000000000");
  });

  it("one account's key does not answer for another: both are credited", async () => {
    const a = await createAccountViaAdmin(server.url);
    const b = await createAccountViaAdmin(server.url);
    const forA = await credit(a.accountId, { amount_usd: "10", reason: "welcome", idempotency_key: "shared" });
    const forB = await credit(b.accountId, { amount_usd: "10", reason: "welcome", idempotency_key: "shared" });
    expect([forA.status, forB.status]).toEqual([201, 201]);
    expect(forB.body.data!.entry_id).not.toBe(forA.body.data!.entry_id);
    expect(await balance(a.accountId)).toBe("10000000000");
    expect(await balance(b.accountId)).toBe("10000000000");
  });

  it("concurrent retries of one key credit once and all agree on the entry", async () => {
    const { accountId } = await createAccountViaAdmin(server.url);
    const answers = await Promise.all(Array.from({ length: 8 }, () => credit(accountId, { amount_usd: "1.5", reason: "r", idempotency_key: "race" })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(answers.map((a) => a.body.data!.entry_id)).size).toBe(1);
    expect(await balance(accountId)).toBe("1500000000");
  });

  it("without a key every call credits; a credit that would overflow the ledger's range is a 422", async () => {
    const { accountId } = await createAccountViaAdmin(server.url);
    expect((await credit(accountId, { amount_usd: "1", reason: "a" })).status).toBe(201);
    expect((await credit(accountId, { amount_usd: "1", reason: "a" })).status).toBe(201);
    expect(await balance(accountId)).toBe("2000000000");
    for (let i = 0; i < 9; i++) expect((await credit(accountId, { amount_usd: "1000000000", reason: "big" })).status).toBe(201);
    const over = await credit(accountId, { amount_usd: "1000000000", reason: "big" });
    expect(over.status).toBe(422);
    expect(over.body.error).toMatchObject({ code: 422, metadata: { error_type: "unprocessable" } });
    expect(await balance(accountId)).toBe("9000000002000000000");
  });

  it("a credit posted before keys were scoped (ledger key admin:<key>) still answers a retry on its own account only", async () => {
    const a = await createAccountViaAdmin(server.url);
    const b = await createAccountViaAdmin(server.url);
    await postEntry(server.database.db, {
      accountId: a.accountId,
      kind: "adjustment",
      amountNano: 5_000_000_000n,
      idempotencyKey: "admin:legacy-1",
      metadata: { reason: "old" },
    });
    const retry = await credit(a.accountId, { amount_usd: "5", reason: "old", idempotency_key: "legacy-1" });
    expect(retry.status).toBe(200);
    expect(retry.body.data).toMatchObject({ duplicate: true, balance_usd: "5" });
    expect((await credit(a.accountId, { amount_usd: "6", reason: "old", idempotency_key: "legacy-1" })).status).toBe(409);
    expect((await credit(b.accountId, { amount_usd: "5", reason: "old", idempotency_key: "legacy-1" })).status).toBe(201);
    expect(await balance(a.accountId)).toBe("5000000000");
    expect(await balance(b.accountId)).toBe("5000000000");
  });

  it("an unknown account is a 404", async () => {
    expect((await credit("acct_nope", { amount_usd: "1", reason: "a", idempotency_key: "x" })).status).toBe(404);
  });
});
