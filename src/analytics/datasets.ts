/**
 * OpenRouter's public datasets over farebox's own leaderboard rollups: daily token totals of the
 * top models (GET /datasets/rankings-daily) and the top public apps in a window (GET
 * /datasets/app-rankings). Read from the public rollups only: nothing per account.
 */
import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import { queryRows, type AnyPgDatabase } from "../db/client.js";

/** Models listed per day before the rest are summed into one `other` row (OpenRouter's rule). */
export const DAILY_TOP_MODELS = 50;

export interface DailyModelTokens {
  date: string;
  /** Catalog model id, or "other" for every model outside the day's top. */
  model: string;
  /** prompt + completion tokens, exact, as a decimal string. */
  totalTokens: string;
}

/** Each day's top models by tokens, then one `other` row per day summing the rest. */
export async function queryDailyModelTokens(db: AnyPgDatabase, from: string, to: string): Promise<DailyModelTokens[]> {
  const rows = await queryRows<{ date: string; model: string; tokens: string }>(
    db,
    sql`with ranked as (
      select to_char(day, 'YYYY-MM-DD') as date, model, prompt_tokens + completion_tokens as tokens,
        row_number() over (partition by day order by prompt_tokens + completion_tokens desc, model) as position
      from analytics_rankings_model_daily where day >= ${from}::date and day <= ${to}::date
    ), grouped as (
      select date, case when position <= ${DAILY_TOP_MODELS} then model else 'other' end as model, sum(tokens) as tokens
      from ranked group by 1, 2
    )
    select date, model, tokens::text as tokens from grouped order by date, model = 'other', tokens desc, model`,
  );
  return rows.map((row) => ({ date: row.date, model: row.model, totalTokens: row.tokens }));
}

export interface AppTokens {
  rank: number;
  /** A stable number for the app's origin (farebox names apps by origin, not by number). */
  appId: number;
  /** The app's latest title in the window, or its origin. */
  appName: string;
  totalRequests: number;
  totalTokens: string;
}

/** Public apps ranked by tokens in the window; `rank` counts from the top, whatever the offset. */
export async function queryAppTokens(db: AnyPgDatabase, from: string, to: string, limit: number, offset: number): Promise<AppTokens[]> {
  const rows = await queryRows<{ app: string; title: string | null; requests: string; tokens: string }>(
    db,
    sql`select app,
        (array_agg(nullif(title, '') order by day desc) filter (where title <> ''))[1] as title,
        sum(requests)::text as requests, sum(tokens)::text as tokens
      from analytics_rankings_app_daily where day >= ${from}::date and day <= ${to}::date
      group by app order by sum(tokens) desc, app limit ${limit} offset ${offset}`,
  );
  return rows.map((row, index) => ({
    rank: offset + index + 1,
    appId: appNumber(row.app),
    appName: row.title ?? row.app,
    totalRequests: Number(row.requests),
    totalTokens: row.tokens,
  }));
}

/** The first 48 bits of the origin's sha256: stable, and exact as a JSON number. */
function appNumber(origin: string): number {
  return createHash("sha256").update(origin).digest().readUIntBE(0, 6);
}
