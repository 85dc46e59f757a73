import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.js";
import {
  auditLedger,
  createAccount,
  endHolds,
  expireHolds,
  getBalance,
  getTotals,
  placeHold,
  postEntry,
  renewHolds,
  settleHold,
  voidHold,
} from "../../src/ledger/index.js";
import { createTestDatabase, dbKinds, type TestDatabase } from "../support/db.js";

const now = new Date("2026-11-23T12:00:00Z");

describe.each(dbKinds)("ledger on %s", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(() => database.close());
  afterEach(async () => {
    const report = await auditLedger(database.db);
    expect(report.problems).toEqual([]);
  });

  async function fundedAccount(amountNano: bigint) {
    const accountId = await createAccount(database.db);
    await postEntry(database.db, { accountId, kind: "deposit", amountNano, idempotencyKey: `seed:${accountId}` });
    return accountId;
  }

  it("credits once per idempotency key", async () => {
    const accountId = await createAccount(database.db);
    const first = await postEntry(database.db, { accountId, kind: "deposit", amountNano: 5_000n, idempotencyKey: "tx:1" });
    const replay = await postEntry(database.db, { accountId, kind: "deposit", amountNano: 5_000n, idempotencyKey: "tx:1" });
    expect(first.status).toBe("posted");
    expect(replay).toEqual({ status: "duplicate", entryId: first.entryId });
    expect(await getBalance(database.db, accountId)).toEqual({ balanceNano: 5_000n, heldNano: 0n, availableNano: 5_000n });
  });

  it("holds reduce what is available and refuses to reserve more", async () => {
    const accountId = await fundedAccount(1_000n);
    const hold = await placeHold(database.db, { accountId, amountNano: 600n, now, ttlMs: 60_000 });
    expect(hold.ok).toBe(true);
    const refused = await placeHold(database.db, { accountId, amountNano: 500n, now, ttlMs: 60_000 });
    expect(refused).toEqual({ ok: false, reason: "insufficient_balance", availableNano: 400n });
    expect(await getBalance(database.db, accountId)).toMatchObject({ balanceNano: 1_000n, heldNano: 600n, availableNano: 400n });
  });

  it("settles the actual cost as usage and fee entries and releases the rest", async () => {
    const accountId = await fundedAccount(1_000n);
    const hold = await placeHold(database.db, { accountId, amountNano: 600n, now, ttlMs: 60_000 });
    if (!hold.ok) throw new Error("hold refused");
    expect(await settleHold(database.db, { holdId: hold.holdId, usageNano: 200n, feeNano: 10n, now })).toEqual({ ok: true });
    expect(await settleHold(database.db, { holdId: hold.holdId, usageNano: 200n, feeNano: 10n, now })).toEqual({
      ok: false,
      reason: "not_open",
    });
    expect(await getBalance(database.db, accountId)).toEqual({ balanceNano: 790n, heldNano: 0n, availableNano: 790n });
    expect(await getTotals(database.db, accountId)).toEqual({ creditsNano: 1_000n, usageNano: 210n });
  });

  it("never settles more than was held", async () => {
    const accountId = await fundedAccount(1_000n);
    const hold = await placeHold(database.db, { accountId, amountNano: 100n, now, ttlMs: 60_000 });
    if (!hold.ok) throw new Error("hold refused");
    expect(await settleHold(database.db, { holdId: hold.holdId, usageNano: 100n, feeNano: 5n, now })).toEqual({
      ok: false,
      reason: "exceeds_hold",
    });
    expect(await voidHold(database.db, hold.holdId, now)).toEqual({ ok: true });
    expect(await getBalance(database.db, accountId)).toMatchObject({ balanceNano: 1_000n, heldNano: 0n });
  });

  it("ends a batch of holds across accounts in one call: settles charged ones, voids the rest, once", async () => {
    const first = await fundedAccount(1_000n);
    const second = await fundedAccount(1_000n);
    const hold = async (accountId: string, amountNano: bigint) => {
      const placed = await placeHold(database.db, { accountId, amountNano, now, ttlMs: 60_000 });
      if (!placed.ok) throw new Error("hold refused");
      return placed.holdId;
    };
    const charged = await hold(second, 400n);
    const free = await hold(first, 300n);
    const alsoCharged = await hold(first, 200n);
    const endings = [
      { holdId: charged, usageNano: 100n, feeNano: 5n },
      { holdId: free, usageNano: 0n, feeNano: 0n },
      { holdId: alsoCharged, usageNano: 50n, feeNano: 3n, metadata: { generation_id: "gen-1" } },
    ];
    const results = await endHolds(database.db, endings, now);
    expect(results).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    expect(await getBalance(database.db, first)).toEqual({ balanceNano: 947n, heldNano: 0n, availableNano: 947n });
    expect(await getBalance(database.db, second)).toEqual({ balanceNano: 895n, heldNano: 0n, availableNano: 895n });

    // a replayed batch (say, after a lost reply) changes nothing
    const replay = await endHolds(database.db, endings, now);
    expect(replay).toEqual(endings.map(() => ({ ok: false, reason: "not_open" })));
    expect(await getTotals(database.db, first)).toEqual({ creditsNano: 1_000n, usageNano: 53n });
  });

  it("a charge the hold refuses takes nothing from it: later charges that fit still go through", async () => {
    const accountId = await fundedAccount(10_000n);
    const lease = await placeHold(database.db, { accountId, amountNano: 3_000n, upToNano: 3_000n, now, ttlMs: 60_000 });
    if (!lease.ok) throw new Error("hold refused");
    const charge = (key: string, usageNano: bigint) => ({ holdId: lease.holdId, usageNano, feeNano: 0n, chargeKey: key });
    expect(await endHolds(database.db, [charge("gen-big", 5_000n), charge("gen-small", 100n), charge("gen-rest", 2_900n), charge("gen-over", 1n)], now)).toEqual([
      { ok: false, reason: "exceeds_hold" },
      { ok: true },
      { ok: true },
      { ok: false, reason: "exceeds_hold" },
    ]);
    expect(await getBalance(database.db, accountId)).toEqual({ balanceNano: 7_000n, heldNano: 0n, availableNano: 7_000n });
    expect(await endHolds(database.db, [{ holdId: lease.holdId, usageNano: 0n, feeNano: 0n }], now)).toEqual([{ ok: true }]);
  });

  it("charges requests to a shared hold in one batch: in order, once each, never past what it reserved", async () => {
    const accountId = await fundedAccount(10_000n);
    const lease = await placeHold(database.db, { accountId, amountNano: 1_000n, upToNano: 3_000n, now, ttlMs: 60_000 });
    if (!lease.ok) throw new Error("hold refused");
    expect(lease.amountNano).toBe(3_000n);
    const charge = (key: string, usageNano: bigint, feeNano: bigint) => ({ holdId: lease.holdId, usageNano, feeNano, chargeKey: key });
    const first = [charge("gen-a", 1_000n, 50n), charge("gen-b", 1_500n, 75n), charge("gen-c", 400n, 20n)];
    expect(await endHolds(database.db, first, now)).toEqual([{ ok: true }, { ok: true }, { ok: false, reason: "exceeds_hold" }]);
    // a replay charges nothing twice; what the hold still has room for goes through
    const second = [charge("gen-a", 1_000n, 50n), charge("gen-c", 300n, 15n)];
    expect(await endHolds(database.db, second, now)).toEqual([{ ok: false, reason: "duplicate" }, { ok: true }]);
    expect(await getBalance(database.db, accountId)).toEqual({ balanceNano: 10_000n - 2_940n, heldNano: 60n, availableNano: 10_000n - 3_000n });

    // ending the hold frees the rest; it ends settled at what was charged to it
    expect(await endHolds(database.db, [{ holdId: lease.holdId, usageNano: 0n, feeNano: 0n }], now)).toEqual([{ ok: true }]);
    expect(await endHolds(database.db, [charge("gen-d", 1n, 0n)], now)).toEqual([{ ok: false, reason: "not_open" }]);
    expect(await getBalance(database.db, accountId)).toEqual({ balanceNano: 7_060n, heldNano: 0n, availableNano: 7_060n });
    expect(await getTotals(database.db, accountId)).toEqual({ creditsNano: 10_000n, usageNano: 2_940n });
  });

  it("renews open holds in one statement, never shortening them, and says which are still open", async () => {
    const accountId = await fundedAccount(1_000n);
    const kept = await placeHold(database.db, { accountId, amountNano: 100n, now, ttlMs: 1_000 });
    const ended = await placeHold(database.db, { accountId, amountNano: 100n, now, ttlMs: 1_000 });
    const long = await placeHold(database.db, { accountId, amountNano: 100n, now, ttlMs: 600_000 });
    if (!kept.ok || !ended.ok || !long.ok) throw new Error("hold refused");
    expect(await voidHold(database.db, ended.holdId, now)).toEqual({ ok: true });
    const renewed = await renewHolds(database.db, [kept.holdId, ended.holdId, long.holdId, "hold_unknown"], new Date(now.getTime() + 30_000));
    expect(renewed.sort()).toEqual([kept.holdId, long.holdId].sort());
    const statuses = async () =>
      (await queryRows<{ id: string; status: string }>(database.db, sql`select id, status::text from holds where id in (${kept.holdId}, ${long.holdId})`))
        .map((row) => `${row.id === kept.holdId ? "kept" : "long"} ${row.status}`)
        .sort();
    // past the first TTL, the renewed hold is still open; the long one kept its own later expiry
    await expireHolds(database.db, new Date(now.getTime() + 20_000));
    expect(await statuses()).toEqual(["kept open", "long open"]);
    await expireHolds(database.db, new Date(now.getTime() + 40_000));
    expect(await statuses()).toEqual(["kept expired", "long open"]);
    await expireHolds(database.db, new Date(now.getTime() + 700_000));
    expect(await statuses()).toEqual(["kept expired", "long expired"]);
  });

  it("expires holds past their TTL and only those", async () => {
    const accountId = await fundedAccount(1_000n);
    const short = await placeHold(database.db, { accountId, amountNano: 300n, now, ttlMs: 1_000 });
    const long = await placeHold(database.db, { accountId, amountNano: 300n, now, ttlMs: 600_000 });
    expect(short.ok && long.ok).toBe(true);
    const later = new Date(now.getTime() + 5_000);
    expect(await expireHolds(database.db, later)).toBeGreaterThanOrEqual(1);
    expect(await getBalance(database.db, accountId)).toMatchObject({ heldNano: 300n, availableNano: 700n });
    if (short.ok) expect(await settleHold(database.db, { holdId: short.holdId, usageNano: 1n, feeNano: 0n, now: later })).toMatchObject({ ok: false });
    if (long.ok) await voidHold(database.db, long.holdId, later);
  });

  it("enforces a key's limit within its window, counting settled spend and open holds", async () => {
    const accountId = await fundedAccount(10_000n);
    const day = new Date("2026-11-23T00:00:00Z");
    const key = { keyId: `key_${accountId}`, limitNano: 1_000n, windowStart: day };
    const first = await placeHold(database.db, { accountId, amountNano: 700n, key, now, ttlMs: 60_000 });
    if (!first.ok) throw new Error("hold refused");
    expect(await placeHold(database.db, { accountId, amountNano: 400n, key, now, ttlMs: 60_000 })).toEqual({
      ok: false,
      reason: "key_limit",
      remainingNano: 300n,
    });
    await settleHold(database.db, { holdId: first.holdId, usageNano: 500n, feeNano: 0n, now });
    expect(await placeHold(database.db, { accountId, amountNano: 600n, key, now, ttlMs: 60_000 })).toMatchObject({
      ok: false,
      remainingNano: 500n,
    });
    // The next day the window restarts.
    const nextDay = { ...key, windowStart: new Date("2026-11-24T00:00:00Z") };
    const next = await placeHold(database.db, { accountId, amountNano: 900n, key: nextDay, now, ttlMs: 60_000 });
    expect(next.ok).toBe(true);
    if (next.ok) await voidHold(database.db, next.holdId, now);
  });

  it("detects a balance cache that disagrees with the entries", async () => {
    const accountId = await fundedAccount(1_000n);
    const { sql } = await import("drizzle-orm");
    await database.db.execute(sql`update accounts set balance_nano = balance_nano + 1 where id = ${accountId}`);
    const report = await auditLedger(database.db);
    expect(report.ok).toBe(false);
    expect(report.problems.join("\n")).toContain(accountId);
    await database.db.execute(sql`update accounts set balance_nano = balance_nano - 1 where id = ${accountId}`);
  });
});
