/**
 * GET /datasets/rankings-daily and /datasets/app-rankings in OpenRouter's shape (`{data, meta}`),
 * from farebox's public leaderboard. Filters farebox has no data for (categories, modalities,
 * context buckets, languages, trending) answer 400 naming the parameter.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { addDays, dayOf, isDay } from "../../analytics/calendar.js";
import { queryAppTokens, queryDailyModelTokens } from "../../analytics/datasets.js";
import type { AnyPgDatabase } from "../../db/client.js";
import { badRequest } from "../../domain/errors.js";
import { publicErrors } from "../openapi/common-schemas.js";
import { zodRoutes } from "../openapi/route-schemas.js";

/** What the dataset routes read. */
export interface DatasetRoutesDeps {
  db: AnyPgDatabase;
  now: () => Date;
}

/** OpenRouter's datasets begin here; earlier start dates are clamped forward, earlier end dates refused. */
const DATASET_FLOOR = "2025-01-01";
const MAX_WINDOW_DAYS = 366;

const day = z.string().refine(isDay, "must be a date written YYYY-MM-DD");
/** A filter farebox's rollups cannot answer: refused, never silently ignored. */
const noData = z.never({ error: "this farebox's leaderboard has no data for this filter" }).optional();
const windowQuery = { start_date: day.optional(), end_date: day.optional() };
const rankingsQuery = z.object({
  ...windowQuery,
  period: z.enum(["day"]).optional(),
  modality: noData,
  context_bucket: noData,
  category: noData,
  language_type: noData,
});
const appsQuery = z.object({
  ...windowQuery,
  sort: z.enum(["popular"]).default("popular"),
  category: noData,
  subcategory: noData,
  limit: z.coerce.number().int().min(1).max(100).default(50),
  offset: z.coerce.number().int().min(0).max(100).default(0),
});

/** The resolved window: end defaults to yesterday (the last complete UTC day), start to 30 days before. */
function windowOf(query: { start_date?: string | undefined; end_date?: string | undefined }, now: Date) {
  const end = query.end_date ?? addDays(dayOf(now), -1);
  if (end < DATASET_FLOOR) throw badRequest(`end_date must be ${DATASET_FLOOR} or later.`, { param: "end_date" });
  const requestedStart = query.start_date ?? addDays(end, -30);
  const start = requestedStart < DATASET_FLOOR ? DATASET_FLOOR : requestedStart;
  if (start > end) throw badRequest("start_date must not be after end_date.", { param: "start_date" });
  if (addDays(start, MAX_WINDOW_DAYS - 1) < end) throw badRequest(`The window may span at most ${MAX_WINDOW_DAYS} days.`, { param: "start_date" });
  return { start, end };
}

/** Registers the dataset routes (relative to the API prefix). */
export function registerDatasetRoutes(app: FastifyInstance, deps: DatasetRoutesDeps): void {
  const routes = zodRoutes(app);
  const tags = ["rankings"];
  const meta = z.object({ as_of: z.string(), version: z.string(), start_date: z.string(), end_date: z.string() });
  const dailySchema = {
    summary: "Each day's top models by tokens (the rest summed as `other`)",
    tags,
    querystring: rankingsQuery,
    response: { 200: z.object({ data: z.array(z.object({ date: z.string(), model_permaslug: z.string(), total_tokens: z.string() })), meta }), ...publicErrors },
  };
  routes.get("/datasets/rankings-daily", { schema: dailySchema }, async (request) => {
    const query = request.query;
    const now = deps.now();
    const { start, end } = windowOf(query, now);
    const rows = await queryDailyModelTokens(deps.db, start, end);
    return {
      data: rows.map((row) => ({ date: row.date, model_permaslug: row.model, total_tokens: row.totalTokens })),
      meta: { as_of: now.toISOString(), version: "v1", start_date: start, end_date: end },
    };
  });

  const appRow = z.object({ rank: z.int(), app_id: z.int(), app_name: z.string(), total_tokens: z.string(), total_requests: z.int() });
  const appsSchema = { summary: "The top apps of a window", tags, querystring: appsQuery, response: { 200: z.object({ data: z.array(appRow), meta }), ...publicErrors } };
  routes.get("/datasets/app-rankings", { schema: appsSchema }, async (request) => {
    const query = request.query;
    const now = deps.now();
    const { start, end } = windowOf(query, now);
    const rows = await queryAppTokens(deps.db, start, end, query.limit, query.offset);
    return {
      data: rows.map((row) => ({
        rank: row.rank,
        app_id: row.appId,
        app_name: row.appName,
        total_tokens: row.totalTokens,
        total_requests: row.totalRequests,
      })),
      meta: { as_of: now.toISOString(), version: "v1", start_date: start, end_date: end },
    };
  });
}
