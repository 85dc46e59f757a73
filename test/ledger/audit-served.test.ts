import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { queryRows } from "../../src/db/client.js";
import { insertGenerations } from "../../src/gateway/generation-rows.js";
import type { GenerationRecord } from "../../src/gateway/ports.js";
import { auditLedger, createAccount, endHolds, placeHold, postEntry } from "../../src/ledger/index.js";
import { createTestDatabase, dbKinds, type TestDatabase } from "../support/db.js";
import { generationRecord } from "../support/generation-record.js";

const now = new Date("2026-11-30T02:00:00Z");

/** The audit's "served means charged" checks, on the data shapes each way of losing a charge left. */
describe.each(dbKinds)("the ledger audit of served generations on %s", (kind) => {
  let database: TestDatabase;
  let accountId: string;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(() => database.close());
  beforeEach(async () => {
    await database.db.execute(sql`truncate generations`);
    accountId = await createAccount(database.db);
    await postEntry(database.db, { accountId, kind: "deposit", amountNano: 100_000n, idempotencyKey: `seed:${accountId}` });
  });

  const store = (record: GenerationRecord) => queryRows(database.db, insertGenerations([record]));
  /** Charges `usage` + `fee` for generation `id` the way the gateway does: on a shared hold, keyed by the generation. */
  async function charge(id: string, usageNano: bigint, feeNano: bigint): Promise<void> {
    const hold = await placeHold(database.db, { accountId, amountNano: usageNano + feeNano, now, ttlMs: 60_000 });
    if (!hold.ok) throw new Error("hold refused");
    const results = await endHolds(database.db, [{ holdId: hold.holdId, usageNano, feeNano, chargeKey: id, metadata: { generation_id: id } }], now);
    expect(results).toEqual([{ ok: true }]);
    await endHolds(database.db, [{ holdId: hold.holdId, usageNano: 0n, feeNano: 0n }], now);
  }

  it("passes when every served generation's entries add up to its total, and sums what was not collected", async () => {
    await store({ ...generationRecord("gen-paid", accountId), upstreamCostNano: 600n, feeNano: 30n, totalNano: 630n });
    await charge("gen-paid", 600n, 30n);
    // usage priced beyond its hold: charged the hold, the rest recorded as uncollected
    await store({ ...generationRecord("gen-capped", accountId), promptTokens: 2_147_483_647, upstreamCostNano: 950n, feeNano: 50n, totalNano: 1_000n, holdNano: 1_000n, uncollectedNano: 7_000_000n });
    await charge("gen-capped", 950n, 50n);
    // a failed request (no model) owes nothing; an answer billed on an estimate is billed
    await store({ ...generationRecord("gen-failed", accountId), model: null, promptTokens: 0, completionTokens: 0, errorStatus: 502 });
    await store({ ...generationRecord("gen-free", accountId), promptTokens: 0, completionTokens: 0, usageEstimated: true });
    const report = await auditLedger(database.db);
    expect(report.problems).toEqual([]);
    expect(report.uncollected).toEqual({ generations: 1, amountNano: 7_000_000n });
  });

  it("fails for a served generation that was never charged (its charge rolled back, its record kept)", async () => {
    await store({ ...generationRecord("gen-lost", accountId), upstreamCostNano: 600n, feeNano: 30n, totalNano: 630n });
    expect((await auditLedger(database.db)).problems).toEqual(["generation gen-lost: served for 630 but never charged"]);
  });

  it("fails for a generation charged less than its record says", async () => {
    await store({ ...generationRecord("gen-short", accountId), upstreamCostNano: 5_000n, feeNano: 250n, totalNano: 5_250n });
    await charge("gen-short", 100n, 0n);
    expect((await auditLedger(database.db)).problems).toEqual(["generation gen-short: charged 100 ≠ its total 5250"]);
  });

  it("fails for an answer billed as nothing because its token counts were no counts (read as zero, not estimated)", async () => {
    await store({ ...generationRecord("gen-zero", accountId), promptTokens: 0, completionTokens: 0, usageEstimated: false, finishReason: "stop" });
    expect((await auditLedger(database.db)).problems).toEqual(["generation gen-zero: answered with no usage reported and none estimated"]);
  });
});
