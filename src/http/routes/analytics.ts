/**
 * GET /api/v1/activity (the caller's usage from the rollups, JSON or CSV) and GET
 * /api/v1/rankings (public leaderboard, no auth). Transport and validation only.
 */
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from "fastify";
import { z } from "zod";
import { activityCsv, activityJson, type ProviderNames } from "../../analytics/activity-wire.js";
import { ACTIVITY_GROUPS, queryActivity } from "../../analytics/activity.js";
import { addDays, dayOf, isDay } from "../../analytics/calendar.js";
import { queryRankings, type Rankings } from "../../analytics/rankings.js";
import type { AnyPgDatabase } from "../../db/client.js";
import { badRequest } from "../../domain/errors.js";
import { storableText } from "../../domain/storable-text.js";
import type { Caller } from "../../gateway/ports.js";
import { DEFAULT_WORKSPACE_ID } from "../presenters/workspace.js";
import { keyedErrors, security } from "../openapi/common-schemas.js";
import { zodRoutes } from "../openapi/route-schemas.js";

/** What the analytics routes need. */
export interface AnalyticsRoutesDeps {
  db: AnyPgDatabase;
  /** Runs before /activity (the app's key check); optional. */
  preHandler?: preHandlerAsyncHookHandler;
  authenticate: (request: FastifyRequest) => Promise<Caller>;
  now?: () => Date;
  /** A provider's display name from its slug, for /activity's `provider_name`. */
  providerName?: ProviderNames;
  /** Name and hash of an account's keys by id, so group_by=key rows name their key; optional. */
  keyNames?: (accountId: string, ids: readonly string[]) => Promise<Map<string, { name: string; hash: string }>>;
  /** How long a computed leaderboard is reused (ms); 0 disables. Default 30 s. */
  rankingsCacheMs?: number;
}

const MAX_RANGE_DAYS = 366;

/** Days from 1970 on: Postgres has no year 0, and ranges reach up to a year before `from`. */
const day = z
  .string()
  .refine(isDay, "must be a date written YYYY-MM-DD")
  .refine((text) => text >= "1970-01-01", "must be 1970-01-01 or later");
const activityQuery = z.object({
  from: day.optional(),
  to: day.optional(),
  date: day.optional(),
  key: storableText().min(1).max(200).optional(),
  // OpenRouter's rows (day × endpoint) unless a farebox grouping is asked for
  // "workspace": OpenRouter's per-workspace split; farebox has one workspace, so endpoint rows with its id
  group_by: z.enum([...ACTIVITY_GROUPS, "workspace"]).default("endpoint"),
  format: z.enum(["json", "csv"]).default("json"),
});

const activityRow = z.record(z.string(), z.union([z.string(), z.number(), z.null()]));
const activityResponse = z.object({
  data: z.array(activityRow).describe("By default OpenRouter's rows (one day of one model at one provider); else one row per group"),
  totals: activityRow,
  from: z.string(),
  to: z.string(),
  group_by: z.string(),
});
const appRanking = z.object({ app: z.string(), title: z.string(), tokens: z.number(), requests: z.number() });
const rankingsResponse = z.object({
  data: z.object({
    through: z.string(),
    models: z.array(
      z.object({
        model: z.string(),
        author: z.string(),
        tokens_this_week: z.number(),
        tokens_last_week: z.number(),
        growth_percent: z.number().nullable(),
        requests_this_week: z.number(),
        median_latency_ms: z.number().nullable(),
        median_throughput_tps: z.number().nullable(),
        daily: z.array(z.object({ date: z.string(), tokens: z.number() })),
      }),
    ),
    authors: z.array(z.object({ author: z.string(), tokens: z.number(), share: z.number() })),
    apps: z.object({ day: z.array(appRanking), week: z.array(appRanking), month: z.array(appRanking) }),
  }),
});

/** Registers /activity and /rankings (relative to the API prefix). */
export function registerAnalyticsRoutes(app: FastifyInstance, deps: AnalyticsRoutesDeps): void {
  const now = deps.now ?? (() => new Date());
  const cacheMs = deps.rankingsCacheMs ?? 30_000;
  let cached: { at: number; body: { data: ReturnType<typeof rankingsWire> } } | undefined;

  const routes = zodRoutes(app);
  const activitySchema = {
    summary: "The caller's usage by day, JSON or CSV",
    tags: ["analytics"],
    security: security.management,
    querystring: activityQuery,
    response: {
      200: {
        description: "The rows and their totals (`format=csv`: the same rows as CSV)",
        content: { "application/json": { schema: activityResponse }, "text/csv": { schema: z.string() } },
      },
      ...keyedErrors,
    },
  };
  routes.get("/activity", { ...(deps.preHandler ? { preHandler: deps.preHandler } : {}), schema: activitySchema }, async (request, reply) => {
    const caller = await deps.authenticate(request);
    const q = request.query;
    const today = dayOf(now());
    const to = q.date ?? q.to ?? today;
    const from = q.date ?? q.from ?? addDays(to, -29);
    if (from > to) throw badRequest("from must not be after to.", { param: "from" });
    if (addDays(from, MAX_RANGE_DAYS - 1) < to) throw badRequest(`The range may span at most ${MAX_RANGE_DAYS} days.`, { param: "from" });
    const result = await queryActivity(deps.db, {
      accountId: caller.accountId,
      from,
      to,
      groupBy: q.group_by === "workspace" ? "endpoint" : q.group_by,
      ...(q.key === undefined ? {} : { apiKeyId: q.key }),
    });
    if (q.format === "csv") {
      return reply
        .header("content-type", "text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="activity-${from}-${to}-by-${q.group_by}.csv"`)
        .send(activityCsv(result, deps.providerName));
    }
    const json = activityJson(result, deps.providerName);
    if (q.group_by === "workspace") json.data = json.data.map((row) => ({ ...row, workspace_id: DEFAULT_WORKSPACE_ID }));
    if (q.group_by === "key" && deps.keyNames) {
      const names = await deps.keyNames(caller.accountId, json.data.map((row) => String(row.api_key_id)));
      json.data = json.data.map((row) => {
        const key = names.get(String(row.api_key_id));
        return { ...row, api_key_name: key?.name ?? null, api_key_hash: key?.hash ?? null };
      });
    }
    return { ...json, from, to, group_by: q.group_by };
  });

  const rankingsSchema = { summary: "The public model leaderboard", tags: ["rankings"], response: { 200: rankingsResponse } };
  routes.get("/rankings", { schema: rankingsSchema }, async (_request, reply) => {
    const at = now().getTime();
    if (!cached || cacheMs <= 0 || at - cached.at >= cacheMs) {
      cached = { at, body: { data: rankingsWire(await queryRankings(deps.db, new Date(at))) } };
    }
    return reply.header("cache-control", `public, max-age=${Math.floor(cacheMs / 1000)}`).send(cached.body);
  });
}

/** The leaderboard in snake_case wire form. */
export function rankingsWire(r: Rankings) {
  const apps = (list: Rankings["apps"]["day"]) => list.map((a) => ({ app: a.app, title: a.title, tokens: a.tokens, requests: a.requests }));
  return {
    through: r.through,
    models: r.models.map((m) => ({
      model: m.model,
      author: m.author,
      tokens_this_week: m.tokensThisWeek,
      tokens_last_week: m.tokensLastWeek,
      growth_percent: m.growthPercent,
      requests_this_week: m.requestsThisWeek,
      median_latency_ms: m.medianLatencyMs,
      median_throughput_tps: m.medianThroughputTps,
      daily: m.daily,
    })),
    authors: r.authors,
    apps: { day: apps(r.apps.day), week: apps(r.apps.week), month: apps(r.apps.month) },
  };
}
