import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { queryRows, type Database } from "../../src/db/client.js";
import { newGenerationId } from "../../src/domain/ids.js";
import { createLedgerBilling } from "../../src/gateway/ledger-billing.js";
import type { Billing, Caller, GenerationRecord } from "../../src/gateway/ports.js";
import { auditLedger, createAccount, expireHolds, getBalance, postEntry } from "../../src/ledger/index.js";
import { createTestDatabase, dbKinds, type TestDatabase } from "../support/db.js";
import { generationRecord } from "../support/generation-record.js";
import { twoProcesses } from "../support/two-processes.js";

/** One request's life through billing: reserve the worst case, then charge what it cost. */
async function serve(billing: Billing, caller: Caller, worstNano: bigint, costNano: bigint): Promise<"served" | "refused"> {
  const hold = await billing.reserve({ caller, amountNano: worstNano, now: new Date() });
  if (!hold.ok) return "refused";
  const id = newGenerationId();
  await billing.conclude({
    holdId: hold.holdId,
    reservedNano: worstNano,
    usageNano: costNano - costNano / 21n,
    feeNano: costNano / 21n,
    metadata: { generation_id: id },
    record: { ...generationRecord(id, caller.accountId), totalNano: costNano },
  });
  return "served";
}

async function fundedAccount(db: Database["db"], amountNano: bigint): Promise<Caller> {
  const accountId = await createAccount(db);
  await postEntry(db, { accountId, kind: "deposit", amountNano, idempotencyKey: `seed:${accountId}` });
  return { accountId, keyId: `key-of-${accountId}` };
}

const holdRows = (db: Database["db"], accountId: string) =>
  queryRows<{ status: string; amount: string; settled: string }>(
    db,
    sql`select status::text, amount_nano::text as amount, settled_nano::text as settled from holds where account_id = ${accountId} order by created_at`,
  );

describe.each(dbKinds)("billing with shared holds on %s", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(() => database.close());
  afterEach(async () => {
    expect((await auditLedger(database.db)).problems).toEqual([]);
  });

  it("drains only once every conclusion started before it, or while it waits, is written", async () => {
    // a long write delay: without drain, no charge would be written within the test
    const billing = createLedgerBilling(database.db, { writeDelayMs: 60_000 });
    const caller = await fundedAccount(database.db, 1_000_000n);
    let concluded = 0;
    const conclude = async () => {
      const hold = await billing.reserve({ caller, amountNano: 1_000n, now: new Date() });
      if (!hold.ok) throw new Error("hold refused");
      const id = newGenerationId();
      const record = { ...generationRecord(id, caller.accountId), totalNano: 630n };
      void billing.conclude({ holdId: hold.holdId, reservedNano: 1_000n, usageNano: 600n, feeNano: 30n, metadata: { generation_id: id }, record }).then(() => (concluded += 1));
    };
    for (let i = 0; i < 5; i += 1) await conclude();
    const draining = billing.drain();
    await conclude();
    await draining;
    expect(concluded).toBe(6);
    expect(await getBalance(database.db, caller.accountId)).toEqual({ balanceNano: 1_000_000n - 6n * 630n, heldNano: 0n, availableNano: 1_000_000n - 6n * 630n });
  });

  it("serves a run of requests from one hold, charges each exactly, and gives the rest back", async () => {
    // each charge is written at once: the run measures holds, not how long a batch waits
    const billing = createLedgerBilling(database.db, { writeDelayMs: 0 });
    const caller = await fundedAccount(database.db, 1_000_000n);
    for (let i = 0; i < 40; i += 1) expect(await serve(billing, caller, 1_000n, 630n)).toBe("served");
    await billing.drain();

    // one hold served all 40 (it reserved 64 worst cases), and it ended settled at their sum
    expect(await holdRows(database.db, caller.accountId)).toEqual([{ status: "settled", amount: "64000", settled: String(40 * 630) }]);
    expect(await getBalance(database.db, caller.accountId)).toEqual({ balanceNano: 1_000_000n - 40n * 630n, heldNano: 0n, availableNano: 1_000_000n - 40n * 630n });
    const entries = await queryRows<{ n: string }>(database.db, sql`select count(*)::text as n from ledger_entries where account_id = ${caller.accountId} and kind in ('usage', 'fee')`);
    expect(entries[0]!.n).toBe("80");
  });

  it("reserves at most half of what is free beyond the request, and counts its own free room in a refusal", async () => {
    const billing = createLedgerBilling(database.db);
    const caller = await fundedAccount(database.db, 10_000n);
    const first = await billing.reserve({ caller, amountNano: 1_000n, now: new Date() });
    expect(first.ok).toBe(true);
    // 1,000 for the request plus half of the other 9,000
    expect(await holdRows(database.db, caller.accountId)).toEqual([{ status: "open", amount: "5500", settled: "0" }]);

    const tooBig = await billing.reserve({ caller, amountNano: 9_600n, now: new Date() });
    // 4,500 free in the ledger and 4,500 free in the hold this process has
    expect(tooBig).toEqual({ ok: false, reason: "insufficient_balance", availableNano: 9_000n });
    if (first.ok) {
      await billing.conclude({
        holdId: first.holdId,
        reservedNano: 1_000n,
        usageNano: 0n,
        feeNano: 0n,
        metadata: {},
        record: generationRecord(newGenerationId(), caller.accountId),
      });
    }
    await billing.drain();
    expect(await holdRows(database.db, caller.accountId)).toEqual([
      { status: "voided", amount: "5500", settled: "0" },
    ]);
    expect(await getBalance(database.db, caller.accountId)).toMatchObject({ balanceNano: 10_000n, heldNano: 0n });
  });

  it("charges the rest of a batch when one of its charges cannot be written, and keeps every record", async () => {
    const billing = createLedgerBilling(database.db);
    const caller = await fundedAccount(database.db, 100_000n);
    const conclude = async (usageNano: bigint) => {
      const hold = await billing.reserve({ caller, amountNano: 1_000n, now: new Date() });
      if (!hold.ok) throw new Error("hold refused");
      const id = newGenerationId();
      // the invalid charge's record claims nothing: the audit would rightly flag a total never charged
      const record = { ...generationRecord(id, caller.accountId), totalNano: usageNano < 0n ? 0n : usageNano + 10n };
      return billing.conclude({ holdId: hold.holdId, reservedNano: 1_000n, usageNano, feeNano: 10n, metadata: { generation_id: id }, record });
    };
    // all three finish within the same 10 ms and share one write; the middle one is invalid
    const results = await Promise.allSettled([conclude(200n), conclude(-1n), conclude(300n)]);
    expect(results.map((result) => result.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    await billing.drain();
    expect(await getBalance(database.db, caller.accountId)).toMatchObject({ balanceNano: 100_000n - 520n, heldNano: 0n });
    const records = await queryRows<{ n: string }>(database.db, sql`select count(*)::text as n from generations where account_id = ${caller.accountId}`);
    expect(records[0]!.n).toBe("3");
  });

  it("writes a served request's charge even when its record cannot be stored", async () => {
    const failures: unknown[] = [];
    const billing = createLedgerBilling(database.db, { onError: (error) => failures.push(error) });
    const caller = await fundedAccount(database.db, 100_000n);
    const conclude = async (record: GenerationRecord) => {
      const hold = await billing.reserve({ caller, amountNano: 1_000n, now: new Date() });
      if (!hold.ok) throw new Error("hold refused");
      await billing.conclude({ holdId: hold.holdId, reservedNano: 1_000n, usageNano: 600n, feeNano: 30n, metadata: { generation_id: record.id }, record });
      return record.id;
    };
    const base = () => ({ ...generationRecord(newGenerationId(), caller.accountId), totalNano: 630n });
    // text Postgres cannot store, counts beyond the columns, and a record no statement can carry
    const ids = await Promise.all([
      conclude({ ...base(), externalUser: "x\u0000", appTitle: "\ud800", httpReferer: "https://a.example/\udc00", errorMessage: "nul\u0000" }),
      conclude({ ...base(), promptTokens: 1e15, completionTokens: 1e300, cachedTokens: Number.NaN, latencyMs: Number.POSITIVE_INFINITY }),
      conclude({ ...base(), createdAt: new Date(Number.NaN) }),
    ]);
    await billing.drain();
    const charged = await queryRows<{ id: string; total: string }>(
      database.db,
      sql`select metadata->>'generation_id' as id, (-sum(amount_nano))::text as total from ledger_entries
          where account_id = ${caller.accountId} and kind in ('usage', 'fee') group by 1 order by 1`,
    );
    const byId = (a: { id: string | undefined }, b: { id: string | undefined }) => (a.id ?? "").localeCompare(b.id ?? "");
    expect(charged.sort(byId)).toEqual(ids.map((id) => ({ id, total: "630" })).sort(byId));
    expect(await getBalance(database.db, caller.accountId)).toMatchObject({ balanceNano: 100_000n - 3n * 630n, heldNano: 0n });
    const stored = await queryRows<{ id: string; external_user: string | null; app_title: string | null; prompt_tokens: number; completion_tokens: number }>(
      database.db,
      sql`select id, external_user, app_title, prompt_tokens, completion_tokens from generations where account_id = ${caller.accountId}`,
    );
    expect(stored.sort(byId)).toEqual(
      [
        { id: ids[0], external_user: "x\ufffd", app_title: "\ufffd", prompt_tokens: 10, completion_tokens: 5 },
        { id: ids[1], external_user: null, app_title: null, prompt_tokens: 2_147_483_647, completion_tokens: 2_147_483_647 },
      ].sort(byId),
    );
    expect(failures).toEqual([expect.objectContaining({ message: `generation ${ids[2]} was charged but its record could not be stored` })]);
  });

  it("keeps a lease in use open past its TTL by renewing it, while the expiry worker runs", async () => {
    const billing = createLedgerBilling(database.db, { holdTtlMs: 900 });
    const caller = await fundedAccount(database.db, 1_000_000n);
    const started = Date.now();
    let served = 0;
    while (Date.now() - started < 3_000) {
      expect(await serve(billing, caller, 1_000n, 500n)).toBe("served");
      served += 1;
      expect(await expireHolds(database.db, new Date())).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    const [lease] = await holdRows(database.db, caller.accountId);
    expect(lease?.status).toBe("open");
    await billing.drain();
    expect(await holdRows(database.db, caller.accountId)).toEqual([{ status: "settled", amount: "64000", settled: String(served * 500) }]);
  });

  it("releases a hold nobody used for its idle time, even without being asked", async () => {
    const billing = createLedgerBilling(database.db, { leaseIdleMs: 50 });
    const caller = await fundedAccount(database.db, 100_000n);
    expect(await serve(billing, caller, 1_000n, 500n)).toBe("served");
    await expect.poll(async () => (await holdRows(database.db, caller.accountId))[0]?.status, { timeout: 5_000, interval: 100 }).toBe("settled");
    expect(await getBalance(database.db, caller.accountId)).toMatchObject({ balanceNano: 99_500n, heldNano: 0n });
  });
});

/** Two gateway processes: two billings on two connection pools, one account. */
describe.skipIf(!process.env.TEST_DATABASE_URL)("shared holds in two processes on real Postgres", () => {
  const pools = twoProcesses();

  it("never lets the two together spend more than the balance, and charge every request they served", async () => {
    const caller = await fundedAccount(pools.primary.db, 100_000n);
    const billings = [createLedgerBilling(pools.primary.db), createLedgerBilling(pools.second.db)];
    // 300 requests with a worst case of 1,000 and a cost of 900, 30 at a time, alternating processes
    const outcomes: string[] = [];
    for (let round = 0; round < 10; round += 1) {
      outcomes.push(...(await Promise.all(Array.from({ length: 30 }, (_, i) => serve(billings[i % 2]!, caller, 1_000n, 900n)))));
    }
    await Promise.all(billings.map((billing) => billing.drain()));
    const served = outcomes.filter((outcome) => outcome === "served").length;
    const balance = await getBalance(pools.primary.db, caller.accountId);
    expect(balance).toEqual({ balanceNano: 100_000n - BigInt(served) * 900n, heldNano: 0n, availableNano: 100_000n - BigInt(served) * 900n });
    expect(balance!.balanceNano).toBeGreaterThanOrEqual(0n);
    // never more than the balance pays for; nearly all of it is used although the two split it
    expect(served).toBeLessThanOrEqual(111);
    expect(served).toBeGreaterThanOrEqual(95);
    expect((await auditLedger(pools.primary.db)).problems).toEqual([]);
  });
});
