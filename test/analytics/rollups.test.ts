import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { activityCsv, activityJson } from "../../src/analytics/activity-wire.js";
import { ACTIVITY_GROUPS, queryActivity, type ActivityGroup } from "../../src/analytics/activity.js";
import { appOrigin, isPublicApp } from "../../src/analytics/app-identity.js";
import { queryKeyUsage, usageOf } from "../../src/analytics/key-usage.js";
import { queryRankings } from "../../src/analytics/rankings.js";
import { recordSettled } from "../../src/analytics/rollup-store.js";
import { RollupWriter } from "../../src/analytics/rollup-writer.js";
import type { SettledGeneration } from "../../src/domain/settled-generation.js";
import { generateTraffic, type TrafficShape } from "./traffic.js";
import { createTestDatabase, dbKinds, type TestDatabase } from "../support/db.js";

const shape: TrafficShape = {
  accounts: ["acct_alpha", "acct_beta", "acct_gamma"],
  keysPerAccount: 3,
  models: ["openai/gpt-4o-mini", "anthropic/claude-sonnet-4", "meta-llama/llama-3.3-70b", "deepseek/deepseek-chat"],
  providers: ["openai", "anthropic", "groq", "together"],
  apps: [
    { referer: "https://coder.example.org/session/secret-token?x=1", title: "Coder" },
    { referer: "https://chat.fun.io/", title: "Fun Chat" },
    { referer: "http://localhost:3000/dev", title: "My local thing" },
    { referer: "http://192.168.1.20/", title: null },
    { referer: null, title: "No referer" },
  ],
  from: new Date("2026-03-01T00:00:00Z"),
  days: 31,
};

let handle: TestDatabase;
const traffic: SettledGeneration[] = [...generateTraffic(shape, 3000, 7)];

beforeAll(async () => {
  // real Postgres when the run has one (TEST_DATABASE_URL), else PGlite
  handle = await createTestDatabase(dbKinds[dbKinds.length - 1]!);
  // some one at a time, some in batches, the rest through the gateway's writer
  const half = traffic.length / 2;
  for (const gen of traffic.slice(0, 200)) await recordSettled(handle.db, [gen]);
  expect(await recordSettled(handle.db, traffic.slice(200, half))).toBe(half - 200);
  const writer = new RollupWriter(handle.db, 5);
  await Promise.all(traffic.slice(half).map((gen) => writer.add(gen)));
});
afterAll(async () => {
  await handle.close();
});

function groupOf(gen: SettledGeneration, groupBy: ActivityGroup): string {
  switch (groupBy) {
    case "endpoint":
      return `${gen.createdAt.toISOString().slice(0, 10)} ${gen.model}@${gen.provider}`;
    case "day":
      return gen.createdAt.toISOString().slice(0, 10);
    case "model":
      return gen.model;
    case "provider":
      return gen.provider;
    case "key":
      return gen.apiKeyId;
    case "app":
      return appOrigin(gen.appReferer);
  }
}

describe("activity from rollups", () => {
  it("matches the raw generations for every group_by, money exact to the nano", async () => {
    const account = "acct_beta";
    const from = "2026-03-05";
    const to = "2026-03-25";
    const inRange = traffic.filter((g) => {
      const day = g.createdAt.toISOString().slice(0, 10);
      return g.accountId === account && day >= from && day <= to;
    });
    expect(inRange.length).toBeGreaterThan(300);
    for (const groupBy of ACTIVITY_GROUPS) {
      const result = await queryActivity(handle.db, { accountId: account, from, to, groupBy });
      const expected = new Map<string, { requests: number; credit: bigint; fee: bigint; byok: bigint; prompt: number; errors: number }>();
      for (const g of inRange) {
        const key = groupOf(g, groupBy);
        const e = expected.get(key) ?? { requests: 0, credit: 0n, fee: 0n, byok: 0n, prompt: 0, errors: 0 };
        e.requests += 1;
        e.credit += g.creditUsageNano;
        e.fee += g.feeNano;
        e.byok += g.byokUpstreamNano;
        e.prompt += g.promptTokens;
        e.errors += g.ok ? 0 : 1;
        expected.set(key, e);
      }
      expect(result.rows.map((r) => r.group).sort()).toEqual([...expected.keys()].sort());
      for (const row of result.rows) {
        const e = expected.get(row.group)!;
        expect([row.requests, row.creditUsageNano, row.feeNano, row.byokUpstreamNano, row.promptTokens, row.errors]).toEqual([
          e.requests,
          e.credit,
          e.fee,
          e.byok,
          e.prompt,
          e.errors,
        ]);
      }
      expect(result.totals.requests).toBe(inRange.length);
      expect(result.totals.creditUsageNano + result.totals.feeNano).toBe(
        inRange.reduce((sum, g) => sum + g.creditUsageNano + g.feeNano, 0n),
      );
    }
  });

  it("filters by key and derives latency percentiles inside the right buckets", async () => {
    const key = "acct_alpha-key-1";
    const result = await queryActivity(handle.db, { accountId: "acct_alpha", from: "2026-03-01", to: "2026-03-31", apiKeyId: key, groupBy: "key" });
    expect(result.rows.map((r) => r.group)).toEqual([key]);
    const latencies = traffic.filter((g) => g.apiKeyId === key && g.ok).map((g) => g.latencyMs).sort((a, b) => a - b);
    const trueP50 = latencies[Math.floor(latencies.length / 2)]!;
    const trueP95 = latencies[Math.floor(latencies.length * 0.95)]!;
    // bucket resolution: within the width of the bucket around the true value (≤ 33% here)
    expect(Math.abs(result.totals.latencyP50Ms! - trueP50) / trueP50).toBeLessThan(0.34);
    expect(Math.abs(result.totals.latencyP95Ms! - trueP95) / trueP95).toBeLessThan(0.34);
    expect(result.totals.ttftP50Ms).not.toBeNull();
  });

  it("is empty, not an error, for an account with no traffic", async () => {
    const result = await queryActivity(handle.db, { accountId: "nobody", from: "2026-03-01", to: "2026-03-31", groupBy: "day" });
    expect(result.rows).toEqual([]);
    expect(result.totals.requests).toBe(0);
    expect(result.totals.latencyP50Ms).toBeNull();
    expect(activityJson(result).totals.error_rate).toBe(0);
  });

  it("renders JSON and CSV with the same exact amounts", async () => {
    const result = await queryActivity(handle.db, { accountId: "acct_gamma", from: "2026-03-01", to: "2026-03-31", groupBy: "app" });
    const json = activityJson(result);
    const csv = activityCsv(result);
    const lines = csv.trimEnd().split("\r\n");
    expect(lines[0]!.split(",").slice(0, 3)).toEqual(["app", "requests", "prompt_tokens"]);
    expect(lines).toHaveLength(result.rows.length + 1);
    const header = lines[0]!.split(",");
    const usageIndex = header.indexOf("usage");
    for (let i = 0; i < result.rows.length; i += 1) {
      const cells = lines[i + 1]!.split(",");
      const row = result.rows[i]!;
      expect(cells[usageIndex]).toBe(formatNano(row.creditUsageNano + row.feeNano));
      expect(json.data[i]!.usage).toBe(Number(formatNano(row.creditUsageNano + row.feeNano)));
    }
  });
});

function formatNano(nano: bigint): string {
  const whole = nano / 1_000_000_000n;
  const frac = (nano % 1_000_000_000n).toString().padStart(9, "0").replace(/0+$/, "");
  return frac ? `${whole}.${frac}` : `${whole}`;
}

describe("per-key usage windows", () => {
  it("sums today, this Monday-based week and this month for each key", async () => {
    const now = new Date("2026-03-18T15:00:00Z"); // a Wednesday
    const usage = await queryKeyUsage(handle.db, "acct_alpha", now);
    for (const key of ["acct_alpha-key-0", "acct_alpha-key-2"]) {
      const sum = (from: string, byok: boolean) =>
        traffic
          .filter((g) => g.apiKeyId === key)
          .filter((g) => {
            const day = g.createdAt.toISOString().slice(0, 10);
            return day >= from && day <= "2026-03-18";
          })
          .reduce((s, g) => s + (byok ? g.byokUpstreamNano : g.creditUsageNano + g.feeNano), 0n);
      const got = usageOf(usage, key);
      expect(got.dailyNano).toBe(sum("2026-03-18", false));
      expect(got.weeklyNano).toBe(sum("2026-03-16", false));
      expect(got.monthlyNano).toBe(sum("2026-03-01", false));
      expect(got.byokMonthlyNano).toBe(sum("2026-03-01", true));
      expect(got.monthlyNano).toBeGreaterThan(got.weeklyNano);
    }
    expect(usageOf(usage, "acct_beta-key-0").monthlyNano).toBe(0n);
  });
});

describe("public rankings", () => {
  it("match the generations and leak no account, key, path or private app", async () => {
    const now = new Date("2026-03-28T12:00:00Z");
    const rankings = await queryRankings(handle.db, now);
    const inWindow = (g: SettledGeneration, from: string, to: string) => {
      const day = g.createdAt.toISOString().slice(0, 10);
      return day >= from && day <= to;
    };
    for (const model of shape.models) {
      const ranked = rankings.models.find((m) => m.model === model)!;
      const tokens = (from: string, to: string) =>
        traffic.filter((g) => g.model === model && inWindow(g, from, to)).reduce((s, g) => s + g.promptTokens + g.completionTokens, 0);
      expect(ranked.tokensThisWeek).toBe(tokens("2026-03-22", "2026-03-28"));
      expect(ranked.tokensLastWeek).toBe(tokens("2026-03-15", "2026-03-21"));
      expect(ranked.growthPercent).toBeCloseTo(((ranked.tokensThisWeek - ranked.tokensLastWeek) / ranked.tokensLastWeek) * 100, 0);
      expect(ranked.daily).toHaveLength(14);
      expect(ranked.daily.reduce((s, d) => s + d.tokens, 0)).toBe(tokens("2026-03-15", "2026-03-28"));
      expect(ranked.medianLatencyMs).toBeGreaterThan(0);
      expect(ranked.medianThroughputTps).toBeGreaterThan(0);
    }
    expect(rankings.models.map((m) => m.tokensThisWeek)).toEqual([...rankings.models.map((m) => m.tokensThisWeek)].sort((a, b) => b - a));
    expect(rankings.authors.reduce((s, a) => s + a.share, 0)).toBeCloseTo(1, 9);

    const weekApps = rankings.apps.week;
    expect(weekApps.map((a) => a.app).sort()).toEqual(["https://chat.fun.io", "https://coder.example.org"]);
    const coder = weekApps.find((a) => a.app === "https://coder.example.org")!;
    expect(coder.title).toBe("Coder");
    expect(coder.tokens).toBe(
      traffic
        .filter((g) => g.appReferer?.startsWith("https://coder.example.org") && inWindow(g, "2026-03-22", "2026-03-28"))
        .reduce((s, g) => s + g.promptTokens + g.completionTokens, 0),
    );

    const text = JSON.stringify(rankings);
    for (const secret of ["acct_", "key-", "secret-token", "localhost", "192.168", "My local thing", "No referer", "session"]) {
      expect(text).not.toContain(secret);
    }
  });

  it("treats only real public hosts as public apps", () => {
    expect(isPublicApp(appOrigin("https://app.example.com/x?token=1"))).toBe(true);
    expect(appOrigin("https://user:pass@app.example.com/x")).toBe("https://app.example.com");
    for (const referer of ["http://localhost:8080", "http://10.0.0.1", "https://intranet", "https://box.internal", "ftp://x.com", "not a url", ""]) {
      expect(isPublicApp(appOrigin(referer))).toBe(false);
    }
  });
});
