/**
 * The rest of OpenRouter's catalog routes: GET /models/count, /models/user (the models the
 * calling account can reach: an operator key or its own BYOK key for at least one provider),
 * /model/{author}/{slug} ({data: Model}), /models/{author}/{slug} (the `openai` SDK's
 * models.retrieve: the Model at top level with OpenAI's `object` and `owned_by`) and /providers.
 */
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from "fastify";
import { z } from "zod";
import type { Catalog, Model } from "../../catalog/types.js";
import { notFound } from "../../domain/errors.js";
import { errorResponses, keyedErrors, publicErrors, security } from "../openapi/common-schemas.js";
import { zodRoutes } from "../openapi/route-schemas.js";
import { checkModelQuery, matchesModelQuery, modelQuery, pageOf } from "./model-filters.js";
import { modelEntry, modelListWire, modelWire } from "./model-wire.js";

/** What the lookup routes read. */
export interface ModelLookupDeps {
  catalog: Catalog;
  /** The key check /models/user runs first. */
  preHandler: preHandlerAsyncHookHandler;
  /** Providers the caller holds its own key for (empty when BYOK is off). */
  byokProviders: (request: FastifyRequest) => Promise<ReadonlySet<string>>;
}

const modelPath = z.object({ author: z.string(), slug: z.string() });
/** One segment carrying the whole id, its slash encoded (the openai SDK's `test%2Fchat`). */
const encodedModelPath = z.object({ author: z.string().describe("The model id, its slash percent-encoded") });
const notFoundErrors = { ...publicErrors, ...errorResponses(404) };
const providerWire = z.object({
  name: z.string(),
  slug: z.string(),
  privacy_policy_url: z.null(),
  terms_of_service_url: z.null(),
  status_page_url: z.null(),
  headquarters: z.null(),
  datacenters: z.null(),
});

/** Registers the lookup routes (relative to the API prefix). */
export function registerModelLookupRoutes(app: FastifyInstance, deps: ModelLookupDeps): void {
  const routes = zodRoutes(app);
  const tags = ["models"];
  /** The model a path names: /{author}/{slug}, or one segment with the slash encoded. */
  const find = ({ author, slug }: { author: string; slug?: string }): Model => {
    const modelId = slug === undefined ? author : `${author}/${slug}`;
    const model = deps.catalog.models.get(modelId);
    if (!model) throw notFound(`Model ${modelId} is not in this farebox catalog.`, { availability: { code: "model_not_found" } });
    return model;
  };
  const retrieved = modelWire.extend({ object: z.literal("model"), owned_by: z.string() });
  const retrieve = async (request: { params: { author: string; slug?: string } }) => {
    const model = find(request.params);
    return { ...modelEntry(model), object: "model" as const, owned_by: model.id.split("/")[0] ?? "" };
  };

  const countSchema = { summary: "How many models match the filters", tags, querystring: modelQuery, response: { 200: z.object({ data: z.object({ count: z.int() }) }), ...publicErrors } };
  routes.get("/models/count", { schema: countSchema }, async (request) => {
    const query = checkModelQuery(request.query);
    return { data: { count: [...deps.catalog.models.values()].filter((model) => matchesModelQuery(model, query)).length } };
  });

  const userSchema = {
    summary: "The models the calling account can reach (an operator key or its own BYOK key)",
    tags,
    security: security.anyKey,
    querystring: modelQuery,
    response: { 200: modelListWire, ...keyedErrors },
  };
  routes.get("/models/user", { preHandler: deps.preHandler, schema: userSchema }, async (request) => {
    const query = checkModelQuery(request.query);
    const own = await deps.byokProviders(request);
    const usable = [...deps.catalog.models.values()].filter(
      // reachable with an operator key or the account's own (BYOK), so the catalog-wide usable filter is replaced by this one
      (model) =>
        matchesModelQuery(model, { ...query, all: "true" }) &&
        model.endpoints.some((endpoint) => endpoint.priced && (endpoint.provider.apiKey !== undefined || own.has(endpoint.provider.slug))),
    );
    return { data: pageOf(usable, query).map(modelEntry), links: { next: null }, total_count: usable.length };
  });

  const oneSchema = { summary: "One model", tags, params: modelPath, response: { 200: z.object({ data: modelWire }), ...notFoundErrors } };
  routes.get("/model/:author/:slug", { schema: oneSchema }, async (request) => ({ data: modelEntry(find(request.params)) }));

  const retrieveSchema = { summary: "One model, OpenAI's models.retrieve shape", tags, response: { 200: retrieved, ...notFoundErrors } };
  routes.get("/models/:author/:slug", { schema: { ...retrieveSchema, params: modelPath } }, retrieve);
  routes.get("/models/:author", { schema: { ...retrieveSchema, params: encodedModelPath } }, retrieve);

  const providersSchema = { summary: "The providers of this farebox's catalog", tags, response: { 200: z.object({ data: z.array(providerWire) }) } };
  routes.get("/providers", { schema: providersSchema }, async () => ({
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
