/**
 * The rest of OpenRouter's catalog routes: GET /models/count, /models/user (the models the
 * calling account can reach: an operator key or its own BYOK key for at least one provider),
 * /model/{author}/{slug} ({data: Model}), /models/{author}/{slug} (the `openai` SDK's
 * models.retrieve: the Model at top level with OpenAI's `object` and `owned_by`) and /providers.
 */
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from "fastify";
import type { Catalog, Model } from "../../catalog/types.js";
import { notFound } from "../../domain/errors.js";
import { matchesModelQuery, pageOf, parseModelQuery } from "./model-filters.js";
import { modelEntry } from "./model-wire.js";

/** What the lookup routes read. */
export interface ModelLookupDeps {
  catalog: Catalog;
  /** The key check /models/user runs first. */
  preHandler: preHandlerAsyncHookHandler;
  /** Providers the caller holds its own key for (empty when BYOK is off). */
  byokProviders: (request: FastifyRequest) => Promise<ReadonlySet<string>>;
}

/** Registers the lookup routes (relative to the API prefix). */
export function registerModelLookupRoutes(app: FastifyInstance, deps: ModelLookupDeps): void {
  /** The model a path names: /{author}/{slug}, or one segment with the slash encoded (the openai SDK's `test%2Fchat`). */
  const find = (request: FastifyRequest): Model => {
    // /models/:author alone carries the whole id ("author/slug" arrived with its slash encoded)
    const { author, slug } = request.params as { author: string; slug?: string };
    const modelId = slug === undefined ? author : `${author}/${slug}`;
    const model = deps.catalog.models.get(modelId);
    if (!model) throw notFound(`Model ${modelId} is not in this farebox catalog.`, { availability: { code: "model_not_found" } });
    return model;
  };
  const retrieve = async (request: FastifyRequest) => {
    const model = find(request);
    return { ...modelEntry(model), object: "model", owned_by: model.id.split("/")[0] };
  };

  app.get("/models/count", async (request) => {
    const query = parseModelQuery(request.query);
    return { data: { count: [...deps.catalog.models.values()].filter((model) => matchesModelQuery(model, query)).length } };
  });

  app.get("/models/user", { preHandler: deps.preHandler }, async (request) => {
    const query = parseModelQuery(request.query);
    const own = await deps.byokProviders(request);
    const usable = [...deps.catalog.models.values()].filter(
      // reachable with an operator key or the account's own (BYOK), so the catalog-wide usable filter is replaced by this one
      (model) =>
        matchesModelQuery(model, { ...query, all: "true" }) &&
        model.endpoints.some((endpoint) => endpoint.priced && (endpoint.provider.apiKey !== undefined || own.has(endpoint.provider.slug))),
    );
    return { data: pageOf(usable, query).map(modelEntry), links: { next: null }, total_count: usable.length };
  });

  app.get("/model/:author/:slug", async (request) => ({ data: modelEntry(find(request)) }));

  app.get("/models/:author/:slug", retrieve);
  app.get("/models/:author", retrieve);

  app.get("/providers", async () => ({
    data: [...deps.catalog.providers.values()].map((provider) => ({
      name: provider.name,
      slug: provider.slug,
      // farebox knows a provider by its API endpoint only: no policy links or locations
      privacy_policy_url: null,
      terms_of_service_url: null,
      status_page_url: null,
      headquarters: null,
      datacenters: null,
    })),
  }));
}
