/**
 * PUT /api/v1/byok/{provider} {api_key, always_use?}, GET /api/v1/byok, DELETE
 * /api/v1/byok/{provider}: an account's own provider keys. Keys are sealed before storage and
 * never returned: responses show the last four characters only.
 */
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from "fastify";
import { z } from "zod";
import type { ByokKeySummary, ByokStore } from "../../byok/store.js";
import { AppError, badRequest, notFound } from "../../domain/errors.js";
import { storableText } from "../../domain/storable-text.js";
import type { Caller } from "../../gateway/ports.js";

/** What the BYOK routes need. */
export interface ByokRoutesDeps {
  /** Absent when no master key is configured: the routes then answer 503 saying so. */
  store: ByokStore | undefined;
  /** Runs before each handler (the app's key check); optional. */
  preHandler?: preHandlerAsyncHookHandler;
  authenticate: (request: FastifyRequest) => Promise<Caller>;
  /** Whether farebox knows a provider by this slug (the catalog's providers). */
  isKnownProvider: (slug: string) => boolean;
}

const putBody = z.strictObject({
  api_key: storableText()
    .min(8, "api_key is too short to be a provider key")
    .max(1024, "api_key is too long")
    .regex(/^\S+$/, "api_key must not contain whitespace"),
  always_use: z.boolean().optional(),
});

function wire(summary: ByokKeySummary) {
  return {
    provider: summary.provider,
    key_last_four: summary.lastFour,
    always_use: summary.alwaysUse,
    created_at: summary.createdAt.toISOString(),
    updated_at: summary.updatedAt.toISOString(),
    last_used_at: summary.lastUsedAt?.toISOString() ?? null,
    last_rejected_at: summary.lastRejectedAt?.toISOString() ?? null,
  };
}

/** Registers the BYOK routes (with /v1 aliases). */
export function registerByokRoutes(app: FastifyInstance, deps: ByokRoutesDeps): void {
  const provider = (request: FastifyRequest): string => {
    const slug = (request.params as { provider?: string }).provider ?? "";
    if (!deps.isKnownProvider(slug)) throw notFound(`Unknown provider ${JSON.stringify(slug.slice(0, 64))}.`, { param: "provider" });
    return slug;
  };

  const store = (): ByokStore => {
    if (deps.store) return deps.store;
    throw new AppError("Bring-your-own-key is not enabled on this server: the operator must set FAREBOX_BYOK_MASTER_KEY.", {
      httpStatus: 503,
      errorType: "provider_unavailable",
    });
  };
  const options = deps.preHandler ? { preHandler: deps.preHandler } : {};

  for (const prefix of ["/api/v1", "/v1"]) {
    app.put(`${prefix}/byok/:provider`, options, async (request) => {
      const caller = await deps.authenticate(request);
      const slug = provider(request);
      const parsed = putBody.safeParse(request.body ?? {});
      if (!parsed.success) {
        // zod messages name the field and the rule, never echo the value
        const issue = parsed.error.issues[0];
        throw badRequest(`Invalid body: ${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"}`);
      }
      const saved = await store().put(caller.accountId, slug, parsed.data.api_key, parsed.data.always_use ?? false);
      return { data: wire(saved) };
    });

    app.get(`${prefix}/byok`, options, async (request) => {
      const caller = await deps.authenticate(request);
      return { data: (await store().list(caller.accountId)).map(wire) };
    });

    app.delete(`${prefix}/byok/:provider`, options, async (request) => {
      const caller = await deps.authenticate(request);
      const slug = provider(request);
      if (!(await store().remove(caller.accountId, slug))) throw notFound(`No key stored for provider ${slug}.`);
      return { deleted: true };
    });
  }
}
