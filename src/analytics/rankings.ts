import { and, gte, lte } from "drizzle-orm";
import type { AnyPgDatabase } from "../byok/store.js";
import { rankingsAppDaily, rankingsModelDaily } from "../db/schema/analytics.js";
import { addDays, dayOf, daysBetween } from "./calendar.js";
import { LATENCY_BOUNDS_MS, THROUGHPUT_BOUNDS_TPS, addHistogram, emptyHistogram, quantile } from "./histogram.js";

/** One model on the public leaderboard. Tokens are prompt + completion. */
export interface ModelRanking {
  model: string;
  author: string;
  tokensThisWeek: number;
  tokensLastWeek: number;
  /** Week-over-week change in percent; null when last week had no tokens. */
  growthPercent: number | null;
  requestsThisWeek: number;
  medianLatencyMs: number | null;
  medianThroughputTps: number | null;
  /** Tokens per day over the last 14 days, oldest first. */
  daily: { date: string; tokens: number }[];
}

export interface AuthorShare {
  author: string;
  tokens: number;
  /** Fraction of all tokens this week, 0..1. */
  share: number;
}

export interface AppRanking {
  app: string;
  title: string;
  tokens: number;
  requests: number;
}

/** The public leaderboard: only model, author and public app aggregates, nothing per account. */
export interface Rankings {
  /** Last day included (today, UTC). */
  through: string;
  models: ModelRanking[];
  authors: AuthorShare[];
  apps: { day: AppRanking[]; week: AppRanking[]; month: AppRanking[] };
}

const TOP_APPS = 20;

/**
 * Builds the leaderboard for the week ending `now` (UTC, today included) against the week
 * before, from the public daily aggregates (a few rows per model per day).
 */
export async function queryRankings(db: AnyPgDatabase, now: Date): Promise<Rankings> {
  const today = dayOf(now);
  const weekFrom = addDays(today, -6);
  const previousFrom = addDays(today, -13);
  const monthFrom = addDays(today, -29);
  const modelRows = await db
    .select()
    .from(rankingsModelDaily)
    .where(and(gte(rankingsModelDaily.day, previousFrom), lte(rankingsModelDaily.day, today)));
  const appRows = await db
    .select()
    .from(rankingsAppDaily)
    .where(and(gte(rankingsAppDaily.day, monthFrom), lte(rankingsAppDaily.day, today)));

  const days = daysBetween(previousFrom, today);
  const models = new Map<string, ModelRanking & { latency: number[]; throughput: number[]; byDay: Map<string, number> }>();
  for (const row of modelRows) {
    let entry = models.get(row.model);
    if (!entry) {
      entry = {
        model: row.model,
        author: row.author,
        tokensThisWeek: 0,
        tokensLastWeek: 0,
        growthPercent: null,
        requestsThisWeek: 0,
        medianLatencyMs: null,
        medianThroughputTps: null,
        daily: [],
        latency: emptyHistogram(LATENCY_BOUNDS_MS),
        throughput: emptyHistogram(THROUGHPUT_BOUNDS_TPS),
        byDay: new Map(),
      };
      models.set(row.model, entry);
    }
    const tokens = row.promptTokens + row.completionTokens;
    entry.byDay.set(row.day, tokens);
    if (row.day >= weekFrom) {
      entry.tokensThisWeek += tokens;
      entry.requestsThisWeek += row.requests;
      addHistogram(entry.latency, row.latencyHist);
      addHistogram(entry.throughput, row.throughputHist);
    } else {
      entry.tokensLastWeek += tokens;
    }
  }

  const ranked: ModelRanking[] = [...models.values()]
    .map(({ latency, throughput, byDay, ...entry }) => {
      const latencyMedian = quantile(LATENCY_BOUNDS_MS, latency, 0.5);
      const throughputMedian = quantile(THROUGHPUT_BOUNDS_TPS, throughput, 0.5);
      return {
        ...entry,
        growthPercent:
          entry.tokensLastWeek === 0
            ? null
            : Math.round(((entry.tokensThisWeek - entry.tokensLastWeek) / entry.tokensLastWeek) * 1000) / 10,
        medianLatencyMs: latencyMedian === null ? null : Math.round(latencyMedian),
        medianThroughputTps: throughputMedian === null ? null : Math.round(throughputMedian * 10) / 10,
        daily: days.map((date) => ({ date, tokens: byDay.get(date) ?? 0 })),
      };
    })
    .sort((a, b) => b.tokensThisWeek - a.tokensThisWeek || a.model.localeCompare(b.model));

  const authorTokens = new Map<string, number>();
  let allTokens = 0;
  for (const model of ranked) {
    authorTokens.set(model.author, (authorTokens.get(model.author) ?? 0) + model.tokensThisWeek);
    allTokens += model.tokensThisWeek;
  }
  const authors = [...authorTokens.entries()]
    .filter(([, tokens]) => tokens > 0)
    .map(([author, tokens]) => ({ author, tokens, share: allTokens === 0 ? 0 : tokens / allTokens }))
    .sort((a, b) => b.tokens - a.tokens || a.author.localeCompare(b.author));

  return {
    through: today,
    models: ranked.filter((model) => model.tokensThisWeek > 0 || model.tokensLastWeek > 0),
    authors,
    apps: {
      day: topApps(appRows, today),
      week: topApps(appRows, weekFrom),
      month: topApps(appRows, monthFrom),
    },
  };
}

function topApps(rows: (typeof rankingsAppDaily.$inferSelect)[], from: string): AppRanking[] {
  const apps = new Map<string, AppRanking & { titleDay: string }>();
  for (const row of rows) {
    if (row.day < from) continue;
    let entry = apps.get(row.app);
    if (!entry) {
      entry = { app: row.app, title: "", tokens: 0, requests: 0, titleDay: "" };
      apps.set(row.app, entry);
    }
    entry.tokens += row.tokens;
    entry.requests += row.requests;
    if (row.title && row.day >= entry.titleDay) {
      entry.title = row.title;
      entry.titleDay = row.day;
    }
  }
  return [...apps.values()]
    .map(({ titleDay: _titleDay, ...app }) => ({ ...app, title: app.title || new URL(app.app).hostname }))
    .sort((a, b) => b.tokens - a.tokens || a.app.localeCompare(b.app))
    .slice(0, TOP_APPS);
}
