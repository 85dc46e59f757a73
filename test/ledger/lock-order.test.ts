import { describe, expect, it } from "vitest";
import type { Db } from "../../src/db/client.js";
import {
  auditLedger,
  createAccount,
  endHolds,
  expireHolds,
  getBalance,
  placeHold,
  postEntry,
  renewHolds,
  settleHold,
  voidHold,
  type HoldEnding,
  type KeyScope,
} from "../../src/ledger/index.js";
import { twoProcesses } from "../support/two-processes.js";

const start = new Date("2026-11-23T12:00:00Z");
const minuteMs = 60_000;

/**
 * Every ledger write takes account rows first (in id order), then hold rows, then key and totals
 * rows (src/ledger/sql/ledger-functions.sql). Here expiry, settlement batches, single settles and
 * voids, renewals and new holds all run at once on the same accounts from two connection pools,
 * round after round, each batch naming holds that expiry is ending at that moment. A lock taken
 * out of order shows up as Postgres's "deadlock detected" error, which fails the round.
 */
describe.skipIf(!process.env.TEST_DATABASE_URL)("one lock order across every ledger write, on real Postgres", () => {
  const pools = twoProcesses();

  it("races hold expiry, settlement batches and new holds without a deadlock, and the audit passes", async () => {
    const { primary, second } = { primary: pools.primary.db, second: pools.second.db };
    const accounts = await Promise.all(Array.from({ length: 4 }, () => createAccount(primary)));
    for (const accountId of accounts) await postEntry(primary, { accountId, kind: "deposit", amountNano: 10_000_000_000n, idempotencyKey: `d:${accountId}` });
    const keyOf = (accountId: string): KeyScope => ({ keyId: `key_${accountId}`, limitNano: null, windowStart: start });

    const hold = async (db: Db, accountId: string, now: Date, ttlMs: number): Promise<string> => {
      const placed = await placeHold(db, { accountId, amountNano: 1_000n, upToNano: 5_000n, key: keyOf(accountId), now, ttlMs });
      if (!placed.ok) throw new Error(`hold refused: ${placed.reason}`);
      return placed.holdId;
    };

    let live: string[] = [];
    let chargesWritten = 0;
    let expired = 0;
    const rounds = 40;
    for (let round = 0; round < rounds; round += 1) {
      const now = new Date(start.getTime() + round * minuteMs);
      // holds whose TTL has passed by the time expiry runs, three per account
      const due = await Promise.all(accounts.flatMap((accountId) => [0, 1, 2].map(() => hold(primary, accountId, now, 1_000))));
      const later = new Date(now.getTime() + 10_000);
      const charges = (ids: readonly string[], tag: string): HoldEnding[] =>
        ids.map((holdId) => ({ holdId, usageNano: 300n, feeNano: 15n, chargeKey: `${holdId}:${tag}` }));
      const endings = (ids: readonly string[]): HoldEnding[] => ids.map((holdId) => ({ holdId, usageNano: 200n, feeNano: 10n }));
      const results = await Promise.all([
        expireHolds(primary, later),
        expireHolds(second, later),
        // a batch charging every due hold, accounts forwards, and one ending half of them backwards
        endHolds(second, charges(due, `r${round}`), later),
        endHolds(primary, endings(due.filter((_, index) => index % 2 === 0).reverse()), later),
        // last round's leases: charged, renewed, then some ended on their own, some in a batch
        endHolds(primary, [...charges(live, `r${round}`), ...endings(live.slice(0, 2))], later),
        renewHolds(second, [...live].reverse(), new Date(later.getTime() + 30 * minuteMs)),
        ...live.slice(2, 4).map((holdId) => settleHold(second, { holdId, usageNano: 400n, feeNano: 20n, now: later })),
        ...live.slice(4).map((holdId) => voidHold(primary, holdId, later)),
        ...due.filter((_, index) => index % 3 === 0).map((holdId) => voidHold(second, holdId, later)),
        // new leases on the same accounts, from both pools
        ...accounts.map((accountId, index) => hold(index % 2 === 0 ? primary : second, accountId, later, 30 * minuteMs)),
      ]);
      live = results.slice(-accounts.length) as string[];
      expired += (results[0] as number) + (results[1] as number);
      chargesWritten += (results[2] as Awaited<ReturnType<typeof endHolds>>).filter((result) => result.ok).length;
    }

    // every due hold ended one way or the other; the leases of the last round are still open
    for (const accountId of accounts) {
      const balance = await getBalance(primary, accountId);
      expect(balance?.heldNano).toBeGreaterThan(0n);
    }
    await endHolds(primary, releases(live), start);
    for (const accountId of accounts) expect((await getBalance(primary, accountId))?.heldNano).toBe(0n);
    expect((await auditLedger(primary)).problems).toEqual([]);
    // both sides of the race won sometimes: expiry ended due holds, and batches charged them
    expect(expired).toBeGreaterThan(0);
    expect(chargesWritten).toBeGreaterThan(0);
  }, 120_000);
});

function releases(ids: readonly string[]): HoldEnding[] {
  return ids.map((holdId) => ({ holdId, usageNano: 0n, feeNano: 0n }));
}
