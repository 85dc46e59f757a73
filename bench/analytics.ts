/**
 * Analytics benchmark: seeds a million settled generations into the rollups and times
 * /activity for one busy account-month and /rankings.
 *
 *   npm run bench:analytics                      # embedded PGlite
 *   DATABASE_URL=postgres://… npm run bench:analytics   # real Postgres (tables must not exist)
 *   BENCH_GENERATIONS=200000 npm run bench:analytics     # smaller run
 *   BENCH_REUSE=1 DATABASE_URL=… npm run bench:analytics # re-measure an already seeded database
 */
import { performance } from "node:perf_hooks";
import { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { generateDrizzleJson, generateMigration } from "drizzle-kit/api";
import postgres from "postgres";
import { activityJson } from "../src/analytics/activity-wire.js";
import { queryActivity } from "../src/analytics/activity.js";
import { accumulate, emptyBatch } from "../src/analytics/aggregate.js";
import { queryKeyUsage } from "../src/analytics/key-usage.js";
import { queryRankings } from "../src/analytics/rankings.js";
import { applyBatch } from "../src/analytics/rollup-store.js";
import type { SettledGeneration } from "../src/domain/settled-generation.js";
import type { AnyPgDatabase } from "../src/db/client.js";
import * as analyticsSchema from "../src/db/schema/analytics.js";
import { prng } from "../test/analytics/traffic.js";

const TOTAL = Number(process.env.BENCH_GENERATIONS ?? 1_000_000);
const ACCOUNTS = 2000;
const DAYS = 90;
const START = new Date("2026-01-01T00:00:00Z");
const MODELS = Array.from({ length: 60 }, (_, i) => `${["openai", "anthropic", "google", "meta-llama", "mistralai", "deepseek", "x-ai", "qwen"][i % 8]}/model-${i}`);
const PROVIDERS = ["openai", "anthropic", "google", "groq", "together", "fireworks", "deepseek", "mistral", "xai"];
const APPS = Array.from({ length: 300 }, (_, i) => ({ referer: `https://app${i}.example.com/`, title: `App ${i}` }));

/** Each account uses a handful of models, keys and apps; account 0 is the busy one (10% of traffic). */
function* traffic(): Generator<SettledGeneration> {
  const rand = prng(42);
  const profile = (account: number) => {
    const r = prng(account + 1);
    return {
      models: Array.from({ length: 3 + Math.floor(r() * 10) }, () => MODELS[Math.floor(r() * MODELS.length)]!),
      apps: Array.from({ length: 1 + Math.floor(r() * 4) }, () => (r() < 0.8 ? APPS[Math.floor(r() * APPS.length)]! : null)),
      keys: 1 + Math.floor(r() * 5),
    };
  };
  const profiles = Array.from({ length: ACCOUNTS }, (_, i) => profile(i));
  for (let i = 0; i < TOTAL; i += 1) {
    const account = rand() < 0.1 ? 0 : 1 + Math.floor(rand() * (ACCOUNTS - 1));
    const p = profiles[account]!;
    const model = p.models[Math.floor(rand() * p.models.length)]!;
    const app = p.apps[Math.floor(rand() * p.apps.length)] ?? null;
    const ok = rand() > 0.02;
    const isByok = rand() < 0.15;
    const promptTokens = ok ? 100 + Math.floor(rand() * 8000) : 0;
    const completionTokens = ok ? Math.floor(rand() * 2000) : 0;
    const base = BigInt(promptTokens) * 3000n + BigInt(completionTokens) * 15000n;
    const latencyMs = 100 + Math.floor(rand() * 8000);
    yield {
      id: `gen-${i}`,
      accountId: `acct_${account}`,
      apiKeyId: `key_${account}_${Math.floor(rand() * p.keys)}`,
      model,
      provider: PROVIDERS[(MODELS.indexOf(model) + (rand() < 0.3 ? 1 : 0)) % PROVIDERS.length]!,
      createdAt: new Date(START.getTime() + Math.floor(rand() * DAYS * 86_400_000)),
      appReferer: app?.referer ?? null,
      appTitle: app?.title ?? null,
      promptTokens,
      completionTokens,
      reasoningTokens: Math.floor(completionTokens * 0.1),
      cachedTokens: Math.floor(promptTokens * 0.2),
      isByok,
      creditUsageNano: ok && !isByok ? base : 0n,
      feeNano: ok && !isByok ? (base * 500n + 9999n) / 10000n : 0n,
      byokUpstreamNano: ok && isByok ? base : 0n,
      latencyMs,
      ttftMs: Math.floor(latencyMs * 0.2),
      generationTimeMs: Math.floor(latencyMs * 0.8),
      ok,
      status: ok ? 200 : 502,
      streamed: true,
    };
  }
}

async function openDb(reuse: boolean): Promise<{ db: AnyPgDatabase; label: string; close: () => Promise<void> }> {
  const statements = await generateMigration(generateDrizzleJson({}), generateDrizzleJson(analyticsSchema));
  const url = process.env.DATABASE_URL;
  if (url) {
    const client = postgres(url, { max: 4, onnotice: () => {} });
    if (!reuse) for (const statement of statements) await client.unsafe(statement);
    return { db: drizzlePostgres(client), label: "Postgres (postgres.js)", close: () => client.end() };
  }
  const client = new PGlite();
  for (const statement of statements) await client.exec(statement);
  return { db: drizzlePglite(client), label: "PGlite (embedded)", close: () => client.close() };
}

async function time<T>(runs: number, fn: () => Promise<T>): Promise<{ p50: number; p95: number; max: number; last: T }> {
  let last = await fn(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const start = performance.now();
    last = await fn();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
  return { p50: at(0.5), p95: at(0.95), max: samples[samples.length - 1]!, last };
}

const reuse = process.env.BENCH_REUSE === "1";
const { db, label, close } = await openDb(reuse);
console.log(reuse ? `re-measuring on the rollups already in ${label}` : `seeding ${TOTAL.toLocaleString("en")} generations into ${label} …`);
const seedStart = performance.now();
let batch = emptyBatch();
let inBatch = 0;
let busyMonth = 0;
for (const gen of traffic()) {
  if (gen.accountId === "acct_0" && gen.createdAt.getUTCMonth() === 1) busyMonth += 1;
  if (reuse) continue;
  accumulate(batch, gen);
  inBatch += 1;
  if (inBatch === 100_000) {
    await applyBatch(db, batch);
    batch = emptyBatch();
    inBatch = 0;
  }
}
if (!reuse) await applyBatch(db, batch);
const seedSeconds = (performance.now() - seedStart) / 1000;
const count = async (table: string) => {
  const result = await db.execute(`select count(*)::int as n from ${table}`);
  const rows = Array.isArray(result) ? result : (result as unknown as { rows: { n: number }[] }).rows;
  return (rows[0] as { n: number }).n;
};
const usageRows = await count("analytics_usage_daily");
const modelRows = await count("analytics_rankings_model_daily");
const appRows = await count("analytics_rankings_app_daily");
console.log(`seeded in ${seedSeconds.toFixed(1)} s: ${usageRows} usage rows, ${modelRows} model rows, ${appRows} app rows`);

const RUNS = 50;
const monthQuery = { accountId: "acct_0", from: "2026-02-01", to: "2026-02-28" } as const;
const results = {
  "activity, busy account-month, group_by=day": await time(RUNS, async () => activityJson(await queryActivity(db, { ...monthQuery, groupBy: "day" }))),
  "activity, busy account-month, group_by=model": await time(RUNS, async () => activityJson(await queryActivity(db, { ...monthQuery, groupBy: "model" }))),
  "activity, typical account-month, group_by=day": await time(RUNS, async () =>
    activityJson(await queryActivity(db, { ...monthQuery, accountId: "acct_17", groupBy: "day" })),
  ),
  "key usage today/week/month, busy account": await time(RUNS, () => queryKeyUsage(db, "acct_0", new Date("2026-02-20T12:00:00Z"))),
  "rankings (week, 14-day series, authors, top apps)": await time(RUNS, () => queryRankings(db, new Date("2026-03-15T12:00:00Z"))),
};
const busyRequests = (await queryActivity(db, { ...monthQuery, groupBy: "day" })).totals.requests;
if (busyRequests !== busyMonth) throw new Error(`activity counted ${busyRequests}, seeded ${busyMonth}`);
console.log(`busy account-month: ${busyMonth.toLocaleString("en")} generations, activity totals match the seed`);
console.log("| query | p50 ms | p95 ms | max ms |\n|---|---|---|---|");
for (const [name, r] of Object.entries(results)) {
  console.log(`| ${name} | ${r.p50.toFixed(2)} | ${r.p95.toFixed(2)} | ${r.max.toFixed(2)} |`);
}
await close();
