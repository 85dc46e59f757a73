import { sql } from "drizzle-orm";
import type { AnyPgDatabase } from "../byok/store.js";
import { addDays, dayOf, daysBetween } from "./calendar.js";
import { LATENCY_BOUNDS_MS, THROUGHPUT_BOUNDS_TPS, emptyHistogram, quantile } from "./histogram.js";
import { selectRows } from "./sql-rows.js";

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

interface ModelDayRow extends Record<string, unknown> {
  model: string;
  author: string;
  day: string;
  tokens: string;
  requests: string;
}

interface ModelSlotRow extends Record<string, unknown> {
  model: string;
  i: number;
  latency: string | null;
  throughput: string | null;
}

interface AppRow extends Record<string, unknown> {
  app: string;
  title: string | null;
  tokens: string;
  requests: string;
}

/**
 * Builds the leaderboard for the week ending `now` (UTC, today included) against the week
 * before, summed in Postgres from the public daily aggregates.
 */
export async function queryRankings(db: AnyPgDatabase, now: Date): Promise<Rankings> {
  const today = dayOf(now);
  const weekFrom = addDays(today, -6);
  const previousFrom = addDays(today, -13);
  const dayRows = await selectRows<ModelDayRow>(
    db,
    sql`select model, author, to_char(day, 'YYYY-MM-DD') as day, (prompt_tokens + completion_tokens)::text as tokens,
      requests::text as requests
    from analytics_rankings_model_daily where day >= ${previousFrom}::date and day <= ${today}::date`,
  );
  const slotRows = await selectRows<ModelSlotRow>(
    db,
    sql`select d.model, u.i::int as i, sum(u.l)::text as latency, sum(u.t)::text as throughput
    from analytics_rankings_model_daily d, unnest(d.latency_hist, d.throughput_hist) with ordinality as u(l, t, i)
    where d.day >= ${weekFrom}::date and d.day <= ${today}::date group by 1, 2`,
  );

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
    } else {
      entry.tokensLastWeek += tokens;
    }
  }
  for (const row of slotRows) {
    const entry = models.get(row.model);
    const index = Number(row.i) - 1;
    if (!entry) continue;
    if (row.latency !== null && index < entry.latency.length) entry.latency[index] = Number(row.latency);
    if (row.throughput !== null && index < entry.throughput.length) entry.throughput[index] = Number(row.throughput);
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
    apps: {
      day: await topApps(db, today, today),
      week: await topApps(db, weekFrom, today),
      month: await topApps(db, addDays(today, -29), today),
    },
  };
}

async function topApps(db: AnyPgDatabase, from: string, to: string): Promise<AppRanking[]> {
  const rows = await selectRows<AppRow>(
    db,
    sql`select app, (array_agg(title order by day desc) filter (where title <> ''))[1] as title,
      sum(tokens)::text as tokens, sum(requests)::text as requests
    from analytics_rankings_app_daily where day >= ${from}::date and day <= ${to}::date
    group by app order by sum(tokens) desc, app limit ${TOP_APPS}`,
  );
  return rows.map((row) => ({
    app: row.app,
    title: row.title ?? new URL(row.app).hostname,
    tokens: Number(row.tokens),
    requests: Number(row.requests),
  }));
}
