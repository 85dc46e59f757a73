import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLedger, createAccount, placeHold, postEntry, settleHold } from "../../src/ledger/index.js";
import { renderMetrics } from "../../src/metrics/exposition.js";
import { FareboxMetrics } from "../../src/metrics/farebox-metrics.js";
import { ledgerMetricSources } from "../../src/metrics/ledger-sources.js";
import { MetricsRegistry } from "../../src/metrics/registry.js";
import { createTestDatabase, dbKinds, type TestDatabase } from "../support/db.js";
import { find, parsePrometheus } from "./parse-prometheus.js";

const now = new Date("2026-11-23T12:00:00Z");
/** Above 2^53: a float anywhere on the way would lose the last digits. */
const bigDeposit = 4_000_000_000_000_000_007n;

describe.each(dbKinds)("ledger totals in /metrics on %s", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(() => database.close());

  async function scrape(): Promise<ReturnType<typeof parsePrometheus>> {
    const registry = new MetricsRegistry();
    new FareboxMetrics(registry, ledgerMetricSources(database.db));
    return parsePrometheus(await renderMetrics(registry));
  }

  it("equal the sums of the entries per kind, exactly, whichever path posted them", async () => {
    const alice = await createAccount(database.db);
    const bob = await createAccount(database.db);
    await postEntry(database.db, { accountId: alice, kind: "deposit", amountNano: bigDeposit, idempotencyKey: "tx:alice" });
    await postEntry(database.db, { accountId: bob, kind: "deposit", amountNano: bigDeposit, idempotencyKey: "tx:bob" });
    // A replayed deposit posts nothing and must count nothing.
    await postEntry(database.db, { accountId: bob, kind: "deposit", amountNano: bigDeposit, idempotencyKey: "tx:bob" });
    for (const [account, usageNano, feeNano] of [
      [alice, 1_000_003n, 50_001n],
      [alice, 7n, 1n],
      [bob, 2_000_000n, 100_000n],
    ] as const) {
      const hold = await placeHold(database.db, { accountId: account, amountNano: usageNano + feeNano, now, ttlMs: 60_000 });
      if (!hold.ok) throw new Error("hold refused");
      expect(await settleHold(database.db, { holdId: hold.holdId, usageNano, feeNano, now })).toEqual({ ok: true });
    }
    await postEntry(database.db, { accountId: bob, kind: "refund", amountNano: 100_000n, idempotencyKey: "refund:bob" });
    await postEntry(database.db, { accountId: alice, kind: "adjustment", amountNano: -5n, idempotencyKey: "adj:alice" });

    const parsed = await scrape();
    const total = (entryKind: string) => find(parsed, "farebox_ledger_entries_nano_usd", { kind: entryKind })[0]?.raw;
    expect(total("deposit")).toBe((2n * bigDeposit).toString());
    expect(total("usage")).toBe((-(1_000_003n + 7n + 2_000_000n)).toString());
    expect(total("fee")).toBe((-(50_001n + 1n + 100_000n)).toString());
    expect(total("refund")).toBe("100000");
    expect(total("adjustment")).toBe("-5");

    const scanned = await database.db.execute(sql`select kind::text as kind, sum(amount_nano)::text as amount from ledger_entries group by kind`);
    const rows = (Array.isArray(scanned) ? scanned : (scanned as unknown as { rows: unknown[] }).rows) as { kind: string; amount: string }[];
    for (const row of rows) expect(total(row.kind), row.kind).toBe(row.amount);
    expect((await auditLedger(database.db)).problems).toEqual([]);
  });

  it("are checked by the audit", async () => {
    const carol = await createAccount(database.db);
    await postEntry(database.db, { accountId: carol, kind: "deposit", amountNano: 1_000n, idempotencyKey: "tx:carol" });
    await database.db.execute(sql`update ledger_kind_totals set amount_nano = amount_nano + 1 where account_id = ${carol}`);
    const report = await auditLedger(database.db);
    expect(report.problems.join("\n")).toContain(`account ${carol}: deposit total 1001`);
    await database.db.execute(sql`update ledger_kind_totals set amount_nano = amount_nano - 1 where account_id = ${carol}`);
    expect((await auditLedger(database.db)).problems).toEqual([]);
  });

  it.skipIf(kind !== "postgres")("never read the ledger entries while scraping", async () => {
    // Another session holds the ledger table exclusively; a scrape that scanned it would wait.
    const other = postgres(database.url!, { max: 1, onnotice: () => undefined });
    try {
      const locked = new Promise<void>((resolve, reject) => {
        other
          .begin(async (tx) => {
            await tx`lock table ledger_entries in access exclusive mode`;
            resolve();
            await tx`select pg_sleep(3)`;
          })
          .catch(reject);
      });
      await locked;
      const started = Date.now();
      const parsed = await scrape();
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(find(parsed, "farebox_ledger_entries_nano_usd", { kind: "deposit" })[0]?.raw).toBe((2n * bigDeposit + 1_000n).toString());
    } finally {
      await other.end({ timeout: 5 });
    }
  });
});
