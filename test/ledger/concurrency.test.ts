import { describe, expect, it } from "vitest";
import { auditLedger, createAccount, endHolds, getBalance, placeHold, postEntry, settleHold } from "../../src/ledger/index.js";
import { twoProcesses } from "../support/two-processes.js";

describe.skipIf(!process.env.TEST_DATABASE_URL)("holds across two connection pools on real Postgres", () => {
  const pools = twoProcesses();

  it("lets exactly as many holds through as the balance covers", async () => {
    const accountId = await createAccount(pools.primary.db);
    const holdNano = 1_000_000n;
    await postEntry(pools.primary.db, { accountId, kind: "deposit", amountNano: holdNano * 50n, idempotencyKey: `d:${accountId}` });
    const now = new Date();
    const attempts = Array.from({ length: 200 }, (_, index) =>
      placeHold(index % 2 === 0 ? pools.primary.db : pools.second.db, { accountId, amountNano: holdNano, now, ttlMs: 60_000 }),
    );
    const results = await Promise.all(attempts);
    const granted = results.filter((result) => result.ok);
    expect(granted).toHaveLength(50);
    expect(results.filter((result) => !result.ok).every((result) => !result.ok && result.reason === "insufficient_balance")).toBe(true);
    expect(await getBalance(pools.primary.db, accountId)).toEqual({
      balanceNano: holdNano * 50n,
      heldNano: holdNano * 50n,
      availableNano: 0n,
    });

    // Settling every granted hold at its full amount, from both pools, empties the account exactly.
    await Promise.all(
      granted.map((hold, index) =>
        hold.ok
          ? settleHold(index % 2 === 0 ? pools.second.db : pools.primary.db, { holdId: hold.holdId, usageNano: 950_000n, feeNano: 50_000n, now })
          : null,
      ),
    );
    expect(await getBalance(pools.primary.db, accountId)).toEqual({ balanceNano: 0n, heldNano: 0n, availableNano: 0n });
    expect((await auditLedger(pools.primary.db)).problems).toEqual([]);
  });

  it("ends batches of holds from both pools without deadlocks, whatever order each batch lists them in", async () => {
    const accountIds = await Promise.all(Array.from({ length: 8 }, () => createAccount(pools.primary.db)));
    for (const accountId of accountIds) await postEntry(pools.primary.db, { accountId, kind: "deposit", amountNano: 1_000_000n, idempotencyKey: `d:${accountId}` });
    const now = new Date();
    const holdIds: string[] = [];
    for (let round = 0; round < 25; round += 1) {
      for (const accountId of accountIds) {
        const hold = await placeHold(pools.primary.db, { accountId, amountNano: 1_000n, now, ttlMs: 60_000 });
        if (hold.ok) holdIds.push(hold.holdId);
      }
    }
    // 20 batches of 10, half listing accounts forwards and half backwards, ten at a time on two pools
    const batches = Array.from({ length: 20 }, (_, index) => {
      const slice = holdIds.slice(index * 10, index * 10 + 10);
      return index % 2 === 0 ? slice : slice.reverse();
    });
    const results = await Promise.all(
      batches.map((batch, index) =>
        endHolds(index % 2 === 0 ? pools.primary.db : pools.second.db, batch.map((holdId) => ({ holdId, usageNano: 600n, feeNano: 30n })), now),
      ),
    );
    expect(results.flat().every((result) => result.ok)).toBe(true);
    for (const accountId of accountIds) {
      expect(await getBalance(pools.primary.db, accountId)).toEqual({ balanceNano: 1_000_000n - 25n * 630n, heldNano: 0n, availableNano: 1_000_000n - 25n * 630n });
    }
    expect((await auditLedger(pools.primary.db)).problems).toEqual([]);
  });

  it("credits a replayed idempotency key once even when both pools race on it", async () => {
    const accountId = await createAccount(pools.primary.db);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        postEntry(index % 2 === 0 ? pools.primary.db : pools.second.db, {
          accountId,
          kind: "deposit",
          amountNano: 7n,
          idempotencyKey: `race:${accountId}`,
        }),
      ),
    );
    expect(results.filter((result) => result.status === "posted")).toHaveLength(1);
    expect((await getBalance(pools.primary.db, accountId))?.balanceNano).toBe(7n);
    expect((await auditLedger(pools.primary.db)).problems).toEqual([]);
  });
});
