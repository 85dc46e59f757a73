import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRankings } from "../../src/analytics/rankings.js";
import { recordSettled } from "../../src/analytics/rollup-store.js";
import type { SettledGeneration } from "../../src/domain/settled-generation.js";
import { createTestDatabase, dbKinds, type TestDatabase } from "../support/db.js";

let sequence = 0;

/** One successful generation of `tokens` prompt tokens from an app on a UTC day. */
function generation(day: string, referer: string | null, title: string | null, tokens: number): SettledGeneration {
  sequence += 1;
  return {
    id: `gen-apps-${sequence}`,
    accountId: "acct_apps",
    apiKeyId: "key_apps",
    model: "acme/chat",
    provider: "acme",
    createdAt: new Date(`${day}T12:00:00Z`),
    appReferer: referer,
    appTitle: title,
    promptTokens: tokens,
    completionTokens: 0,
    reasoningTokens: 0,
    cachedTokens: 0,
    isByok: false,
    creditUsageNano: 0n,
    feeNano: 0n,
    byokUpstreamNano: 0n,
    latencyMs: 500,
    ok: true,
    status: 200,
    streamed: false,
  };
}

const now = new Date("2026-05-20T09:00:00Z");

describe.each(dbKinds)("leaderboard apps on %s", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
    await recordSettled(database.db, [
      // Renamed within the week: the newest title in each window wins.
      generation("2026-05-01", "https://renamed.dev/a", "First Name", 500),
      generation("2026-05-15", "https://renamed.dev/b", "Second Name", 400),
      generation("2026-05-18", "https://renamed.dev/c", null, 300),
      // Titled only before today: today's list falls back to the host name.
      generation("2026-05-16", "https://titled-earlier.dev/", "Earlier Title", 50),
      generation("2026-05-20", "https://titled-earlier.dev/", "", 60),
      // A title recorded for a later day than the leaderboard's does not leak back into it.
      generation("2026-05-19", "https://future.dev/", "Current", 70),
      generation("2026-05-22", "https://future.dev/", "Later", 70),
      // Equal tokens: ordered by origin.
      generation("2026-05-20", "https://tie-b.dev/", "Tie B", 60),
      generation("2026-05-20", "https://tie-a.dev/", "Tie A", 60),
      // Outside the 30-day window entirely.
      generation("2026-04-10", "https://gone.dev/", "Gone", 9_999),
      // Not public: never listed.
      generation("2026-05-20", "http://localhost:3000/", "Local", 10_000),
    ]);
    // 25 more apps today, so each list is cut to the top 20.
    await recordSettled(
      database.db,
      Array.from({ length: 25 }, (_, i) => generation("2026-05-20", `https://bulk-${String(i).padStart(2, "0")}.dev/`, `Bulk ${i}`, 1 + i)),
    );
  });
  afterAll(() => database.close());

  it("ranks each window by tokens, titles each app by its newest title in that window, and cuts at 20", async () => {
    const { apps } = await queryRankings(database.db, now);
    expect(apps.month.slice(0, 3)).toEqual([
      { app: "https://renamed.dev", title: "Second Name", tokens: 1200, requests: 3 },
      { app: "https://future.dev", title: "Current", tokens: 70, requests: 1 },
      { app: "https://titled-earlier.dev", title: "Earlier Title", tokens: 110, requests: 2 },
    ].sort((a, b) => b.tokens - a.tokens));
    expect(apps.week.find((a) => a.app === "https://renamed.dev")).toEqual({ app: "https://renamed.dev", title: "Second Name", tokens: 700, requests: 2 });
    expect(apps.day.slice(0, 4)).toEqual([
      { app: "https://tie-a.dev", title: "Tie A", tokens: 60, requests: 1 },
      { app: "https://tie-b.dev", title: "Tie B", tokens: 60, requests: 1 },
      { app: "https://titled-earlier.dev", title: "titled-earlier.dev", tokens: 60, requests: 1 },
      { app: "https://bulk-24.dev", title: "Bulk 24", tokens: 25, requests: 1 },
    ]);
    for (const list of [apps.day, apps.week, apps.month]) {
      expect(list).toHaveLength(20);
      expect(list.map((a) => a.tokens)).toEqual([...list.map((a) => a.tokens)].sort((a, b) => b - a));
      expect(list.map((a) => a.app)).not.toContain("https://gone.dev");
      expect(JSON.stringify(list)).not.toContain("localhost");
    }
  });
});
