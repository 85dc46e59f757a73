import { sql } from "drizzle-orm";
import { addDays } from "./calendar.js";
import { queryRows, type AnyPgDatabase } from "../db/client.js";

/** One public app on the leaderboard. */
export interface AppRanking {
  app: string;
  title: string;
  tokens: number;
  requests: number;
}

/** The top apps of the last day, 7 days and 30 days (today included). */
export interface TopApps {
  day: AppRanking[];
  week: AppRanking[];
  month: AppRanking[];
}

const TOP_APPS = 20;

type Span = keyof TopApps;

interface TopAppRow extends Record<string, unknown> {
  span: Span;
  app: string;
  title: string | null;
  tokens: string;
  requests: string;
}

/**
 * Ranks apps by tokens over the last day, 7 days and 30 days ending `today`, ties by origin.
 *
 * One pass over the 30-day app rows sums all three windows at once; only the (at most 60)
 * ranked apps then look up their title: the latest non-empty title within the window, through
 * the (app, day) index, read backwards. Picking titles inside the aggregation (sorting every
 * app's days) was what made a cold leaderboard slow.
 */
export async function queryTopApps(db: AnyPgDatabase, today: string): Promise<TopApps> {
  const dayFrom = today;
  const weekFrom = addDays(today, -6);
  const monthFrom = addDays(today, -29);
  const rows = await queryRows<TopAppRow>(
    db,
    sql`with totals as (
      select app,
        sum(tokens) filter (where day >= ${dayFrom}::date) as day_tokens,
        sum(requests) filter (where day >= ${dayFrom}::date) as day_requests,
        sum(tokens) filter (where day >= ${weekFrom}::date) as week_tokens,
        sum(requests) filter (where day >= ${weekFrom}::date) as week_requests,
        sum(tokens) as month_tokens,
        sum(requests) as month_requests
      from analytics_rankings_app_daily
      where day >= ${monthFrom}::date and day <= ${today}::date
      group by app
    ), windows as (
      select 'day' as span, ${dayFrom}::date as from_day, app, day_tokens as tokens, day_requests as requests from totals where day_tokens is not null
      union all
      select 'week', ${weekFrom}::date, app, week_tokens, week_requests from totals where week_tokens is not null
      union all
      select 'month', ${monthFrom}::date, app, month_tokens, month_requests from totals
    ), ranked as (
      select *, row_number() over (partition by span order by tokens desc, app) as rank from windows
    )
    select r.span, r.app, r.tokens::text as tokens, r.requests::text as requests,
      (select d.title from analytics_rankings_app_daily d
        where d.app = r.app and d.day >= r.from_day and d.day <= ${today}::date and d.title <> ''
        order by d.day desc limit 1) as title
    from ranked r where r.rank <= ${TOP_APPS}
    order by r.span, r.rank`,
  );
  const top: TopApps = { day: [], week: [], month: [] };
  for (const row of rows) {
    top[row.span].push({
      app: row.app,
      title: row.title ?? new URL(row.app).hostname,
      tokens: Number(row.tokens),
      requests: Number(row.requests),
    });
  }
  return top;
}
