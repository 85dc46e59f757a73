/**
 * GET /api/v1/generation?id=gen-… — one of the caller's generations in OpenRouter's shape
 * (reference §4), every fallback attempt included. Other accounts' ids answer 404.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { notFound } from "../../domain/errors.js";
import { storableText } from "../../domain/storable-text.js";
import { nanoToUsdNumber } from "../../domain/money.js";
import type { GenerationStore } from "../../gateway/ports.js";
import type { KeyResolver } from "../../keys/index.js";
import { callerKey, requireKey } from "../plugins/auth.js";
import { errorResponses, keyedErrors, security } from "../openapi/common-schemas.js";
import { zodRoutes } from "../openapi/route-schemas.js";
import { DEFAULT_WORKSPACE_ID } from "../presenters/workspace.js";

/** What the generation route reads. */
export interface GenerationRoutesDeps {
  generations: GenerationStore;
  keys: KeyResolver;
}

const generationQuery = z.object({ id: storableText().min(1, "id is required").max(200) });

const nullableString = z.string().nullable();
const nullableInt = z.int().nullable();

/** One generation as the wire shows it (OpenRouter's generation shape). */
const generationWire = z.object({
  id: z.string(),
  upstream_id: nullableString,
  created_at: z.string(),
  model: z.string(),
  provider_name: nullableString,
  api_type: z.literal("completions"),
  origin: z.string(),
  http_referer: nullableString,
  app_title: nullableString,
  external_user: nullableString,
  streamed: z.boolean(),
  cancelled: z.boolean(),
  finish_reason: nullableString,
  native_finish_reason: nullableString,
  latency: z.int().describe("ms"),
  time_to_first_token: nullableInt,
  tokens_prompt: z.int(),
  tokens_completion: z.int(),
  native_tokens_prompt: z.int(),
  native_tokens_completion: z.int(),
  native_tokens_reasoning: z.int(),
  native_tokens_cached: z.int(),
  usage_estimated: z.boolean(),
  total_cost: z.number(),
  usage: z.number(),
  upstream_inference_cost: z.number(),
  cache_discount: z.number().nullable(),
  fee: z.number(),
  is_byok: z.boolean(),
  router: nullableString,
  generation_time: nullableInt,
  app_id: z.null(),
  preset_id: z.null(),
  moderation_latency: z.null(),
  native_tokens_completion_images: z.null(),
  num_media_prompt: z.null(),
  num_media_completion: z.null(),
  num_input_audio_prompt: z.null(),
  num_search_results: z.null(),
  num_fetches: z.null(),
  web_search_engine: z.null(),
  service_tier: z.null(),
  user_agent: z.null(),
  data_region: z.string(),
  workspace_id: z.string(),
  error: z.object({ code: z.int(), message: nullableString }).nullable(),
  provider_responses: z.array(
    z.object({
      endpoint_id: z.string(),
      model_permaslug: z.string(),
      provider_name: z.string(),
      status: nullableInt,
      error: nullableString,
      latency: z.number(),
      is_byok: z.boolean(),
    }),
  ),
});

/** Registers the generation lookup. */
export function registerGenerationRoutes(app: FastifyInstance, deps: GenerationRoutesDeps): void {
  const schema = {
    summary: "One of the caller's generations, every fallback attempt included",
    tags: ["generations"],
    security: security.anyKey,
    querystring: generationQuery,
    response: { 200: z.object({ data: generationWire }), ...keyedErrors, ...errorResponses(404) },
  };
  const options = { preHandler: requireKey(deps.keys, ["inference", "management"]), schema };
  zodRoutes(app).get("/generation", options, async (request) => {
    const caller = callerKey(request);
    const { id } = request.query;
    const row = await deps.generations.find(id, caller.accountId);
    if (!row) throw notFound(`Generation ${id} not found.`);
    return {
      data: {
        id: row.id,
        upstream_id: row.upstreamId,
        created_at: row.createdAt.toISOString(),
        model: row.model ?? row.requestedModel,
        provider_name: row.providerName,
        api_type: "completions" as const,
        origin: row.httpReferer ?? "",
        http_referer: row.httpReferer,
        app_title: row.appTitle,
        external_user: row.externalUser,
        streamed: row.streamed,
        cancelled: row.cancelled,
        finish_reason: row.finishReason,
        native_finish_reason: row.nativeFinishReason,
        latency: row.latencyMs,
        time_to_first_token: row.ttftMs,
        tokens_prompt: row.promptTokens,
        tokens_completion: row.completionTokens,
        native_tokens_prompt: row.promptTokens,
        native_tokens_completion: row.completionTokens,
        native_tokens_reasoning: row.reasoningTokens,
        native_tokens_cached: row.cachedTokens,
        usage_estimated: row.usageEstimated,
        total_cost: nanoToUsdNumber(row.totalNano),
        usage: nanoToUsdNumber(row.totalNano),
        upstream_inference_cost: nanoToUsdNumber(row.upstreamCostNano),
        cache_discount: row.cacheDiscountNano === 0n ? null : nanoToUsdNumber(row.cacheDiscountNano),
        fee: nanoToUsdNumber(row.feeNano),
        is_byok: row.isByok,
        router: row.router,
        generation_time: generationTimeMs(row.latencyMs, row.ttftMs),
        // concepts farebox does not have (apps by number, presets, moderation, web search,
        // service tiers, data regions, workspaces): the spec's null or its one honest value
        app_id: null,
        preset_id: null,
        moderation_latency: null,
        native_tokens_completion_images: null,
        num_media_prompt: null,
        num_media_completion: null,
        num_input_audio_prompt: null,
        num_search_results: null,
        num_fetches: null,
        web_search_engine: null,
        service_tier: null,
        user_agent: null,
        data_region: "global",
        workspace_id: DEFAULT_WORKSPACE_ID,
        error: row.errorStatus === null ? null : { code: row.errorStatus, message: row.errorMessage },
        provider_responses: row.attempts.map((attempt) => ({
          endpoint_id: attempt.endpoint_id,
          model_permaslug: attempt.model,
          provider_name: attempt.provider_name,
          status: attempt.status,
          error: attempt.error,
          latency: attempt.latency_ms,
          is_byok: false,
        })),
      },
    };
  });
}

/** Time spent generating after the first token (the whole answer when no first token was timed). */
function generationTimeMs(latencyMs: number | null, ttftMs: number | null): number | null {
  if (latencyMs === null) return null;
  return ttftMs === null ? latencyMs : Math.max(0, latencyMs - ttftMs);
}
