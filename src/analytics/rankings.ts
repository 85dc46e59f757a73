import { sql } from "drizzle-orm";
import { addDays, dayOf, daysBetween } from "./calendar.js";
import { LATENCY_BOUNDS_MS, THROUGHPUT_BOUNDS_TPS, emptyHistogram, quantile } from "./histogram.js";
import { queryRows, type AnyPgDatabase } from "../db/client.js";
import { queryTopApps, type TopApps } from "./top-apps.js";

export type { AppRanking } from "./top-apps.js";

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

/** The public leaderboard: only model, author and public app aggregates, nothing per account. */
export interface Rankings {
  /** Last day included (today, UTC). */
  through: string;
  models: ModelRanking[];
  authors: AuthorShare[];
  apps: TopApps;
}

interface ModelDayRow extends Record<string, unknown> {
  model: string;
  author: string;
  day: string;
  tokens: string;
  requests: string;
  /** Histogram counts, comma-separated; only on days of the current week. */
  latency: string | null;
  throughput: string | null;
}


/**
 * Builds the leaderboard for the week ending `now` (UTC, today included) against the week
 * before, summed in Postgres from the public daily aggregates.
 */
export async function queryRankings(db: AnyPgDatabase, now: Date): Promise<Rankings> {
  const today = dayOf(now);
  const weekFrom = addDays(today, -6);
  const previousFrom = addDays(today, -13);
  // Histograms travel as text and are summed here: 7 days × models rows of ~20 counts are
  // cheaper to add up in JS than to unnest and group in SQL.
  const [dayRows, apps] = await Promise.all([
    queryRows<ModelDayRow>(
      db,
      sql`select model, author, to_char(day, 'YYYY-MM-DD') as day, (prompt_tokens + completion_tokens)::text as tokens,
        requests::text as requests,
        case when day >= ${weekFrom}::date then array_to_string(latency_hist, ',', '0') end as latency,
        case when day >= ${weekFrom}::date then array_to_string(throughput_hist, ',', '0') end as throughput
      from analytics_rankings_model_daily where day >= ${previousFrom}::date and day <= ${today}::date`,
    ),
    queryTopApps(db, today),
  ]);

  const days = daysBetween(previousFrom, today);
  const models = new Map<string, ModelRanking & { latency: number[]; throughput: number[]; byDay: Map<string, number> }>();
  for (const row of dayRows) {
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
    const tokens = Number(row.tokens);
    entry.byDay.set(row.day, tokens);
    if (row.day >= weekFrom) {
      entry.tokensThisWeek += tokens;
      entry.requestsThisWeek += Number(row.requests);
      addCounts(entry.latency, row.latency);
      addCounts(entry.throughput, row.throughput);
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
    models: ranked,
    authors,
    apps,
  };
}

/** Adds comma-separated counts into `into` element-wise; counts beyond its slots are ignored. */
function addCounts(into: number[], counts: string | null): void {
  if (!counts) return;
  const parts = counts.split(",");
  for (let i = 0; i < parts.length && i < into.length; i += 1) into[i] = (into[i] ?? 0) + Number(parts[i]);
}
