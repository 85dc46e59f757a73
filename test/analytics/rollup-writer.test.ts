import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { RollupWriter } from "../../src/analytics/rollup-writer.js";
import { queryRows } from "../../src/db/client.js";
import { createTestDatabase, dbKinds, type TestDatabase } from "../support/db.js";
import { generateTraffic, type TrafficShape } from "./traffic.js";

const shape: TrafficShape = {
  accounts: ["acct_a", "acct_b"],
  keysPerAccount: 2,
  models: ["openai/gpt-4o-mini", "anthropic/claude-sonnet-4"],
  providers: ["openai", "anthropic"],
  apps: [{ referer: "https://coder.example.org/", title: "Coder" }],
  from: new Date("2026-03-01T00:00:00Z"),
  days: 3,
};

let database: TestDatabase | undefined;
afterEach(async () => {
  await database?.close();
  database = undefined;
});

/** What the usage rollup counts, and how many transactions wrote its rows. */
async function totals(db: TestDatabase["db"]): Promise<{ requests: number; credit: bigint; transactions: number }> {
  const [usage] = await queryRows<{ requests: string; credit: string; transactions: string }>(
    db,
    sql`select coalesce(sum(requests), 0)::text as requests, coalesce(sum(credit_usage_nano + fee_nano), 0)::text as credit,
          count(distinct xmin::text)::text as transactions
        from analytics_usage_daily where dimension = 'total'`,
  );
  return { requests: Number(usage!.requests), credit: BigInt(usage!.credit), transactions: Number(usage!.transactions) };
}

describe.each(dbKinds)("rollup writer on %s", (kind) => {
  it("counts every generation exactly, folding those that arrive together into one write", async () => {
    database = await createTestDatabase(kind);
    const traffic = [...generateTraffic(shape, 400, 3)];
    const writer = new RollupWriter(database.db, 20);
    await Promise.all(traffic.map((gen) => writer.add(gen)));
    const result = await totals(database.db);
    expect(result.requests).toBe(400);
    expect(result.credit).toBe(traffic.reduce((sum, g) => sum + g.creditUsageNano + g.feeNano, 0n));
    expect(result.transactions).toBe(1);
  });

  it("reports a failed write to those waiting for it and goes on with the next", async () => {
    database = await createTestDatabase(kind);
    const [first, second, third] = [...generateTraffic(shape, 3, 9)];
    const writer = new RollupWriter(database.db, 5);
    await database.db.execute(sql`alter table analytics_rankings_model_daily rename to rankings_model_daily_away`);
    await expect(writer.add(first!)).rejects.toThrow(/analytics_rankings_model_daily/);
    await database.db.execute(sql`alter table rankings_model_daily_away rename to analytics_rankings_model_daily`);
    // a second batch while the third is still gathering: both written, in order
    const secondWritten = writer.add(second!);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await Promise.all([secondWritten, writer.add(third!)]);
    const result = await totals(database.db);
    expect(result.requests).toBe(2);
    expect(result.credit).toBe(second!.creditUsageNano + second!.feeNano + third!.creditUsageNano + third!.feeNano);
  });
});
