import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Database } from "../../src/db/client.js";
import { auditLedger, createAccount, getBalance, placeHold, postEntry, settleHold } from "../../src/ledger/index.js";
import { createTestDatabase, type TestDatabase } from "../support/db.js";

/** Two gateway processes = two independent connection pools on one Postgres. */
describe.skipIf(!process.env.TEST_DATABASE_URL)("holds across two connection pools on real Postgres", () => {
  let primary: TestDatabase;
  let second: Database;
  beforeAll(async () => {
    primary = await createTestDatabase("postgres", { maxConnections: 10 });
    second = await createDb({ databaseUrl: primary.url, maxConnections: 10 });
  });
  afterAll(async () => {
    await second.close();
    await primary.close();
  });

  it("lets exactly as many holds through as the balance covers", async () => {
    const accountId = await createAccount(primary.db);
    const holdNano = 1_000_000n;
    await postEntry(primary.db, { accountId, kind: "deposit", amountNano: holdNano * 50n, idempotencyKey: `d:${accountId}` });
    const now = new Date();
    const attempts = Array.from({ length: 200 }, (_, index) =>
      placeHold(index % 2 === 0 ? primary.db : second.db, { accountId, amountNano: holdNano, now, ttlMs: 60_000 }),
    );
    const results = await Promise.all(attempts);
    const granted = results.filter((result) => result.ok);
    expect(granted).toHaveLength(50);
    expect(results.filter((result) => !result.ok).every((result) => !result.ok && result.reason === "insufficient_balance")).toBe(true);
    expect(await getBalance(primary.db, accountId)).toEqual({
      balanceNano: holdNano * 50n,
      heldNano: holdNano * 50n,
      availableNano: 0n,
    });

    // Settling every granted hold at its full amount, from both pools, empties the account exactly.
    await Promise.all(
      granted.map((hold, index) =>
        hold.ok
          ? settleHold(index % 2 === 0 ? second.db : primary.db, { holdId: hold.holdId, usageNano: 950_000n, feeNano: 50_000n, now })
          : null,
      ),
    );
    expect(await getBalance(primary.db, accountId)).toEqual({ balanceNano: 0n, heldNano: 0n, availableNano: 0n });
    expect((await auditLedger(primary.db)).problems).toEqual([]);
  });

  it("credits a replayed idempotency key once even when both pools race on it", async () => {
    const accountId = await createAccount(primary.db);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        postEntry(index % 2 === 0 ? primary.db : second.db, {
          accountId,
          kind: "deposit",
          amountNano: 7n,
          idempotencyKey: `race:${accountId}`,
        }),
      ),
    );
    expect(results.filter((result) => result.status === "posted")).toHaveLength(1);
    expect((await getBalance(primary.db, accountId))?.balanceNano).toBe(7n);
    expect((await auditLedger(primary.db)).problems).toEqual([]);
  });
});
