/**
 * POST /api/v1/embeddings (alias /v1/embeddings) and GET /api/v1/embeddings/models.
 * Transport only: the body is validated by the embeddings format (src/formats/embeddings/),
 * the use case decides and bills everything, the format shapes the answer.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Catalog } from "../../catalog/types.js";
import { parseEmbeddingsRequest } from "../../formats/embeddings/request.js";
import { embeddingsResponse } from "../../formats/embeddings/response.js";
import type { ChatGateway } from "../../gateway/chat-gateway.js";
import { inferenceExchange } from "../inference-request.js";
import type { InferenceAccess } from "../inference-access.js";
import { checkModelQuery, matchesModelQuery, modelQuery, pageOf, type ModelQuery } from "./model-filters.js";
import { modelEntry, modelListWire } from "./model-wire.js";
import { embeddingsRequestSchema } from "../../formats/embeddings/request.js";
import { embeddingsResponseSchema } from "../../formats/embeddings/response.js";
import { errorResponses, keyedErrors, publicErrors, security } from "../openapi/common-schemas.js";
import { checkedByUseCase, zodRoutes } from "../openapi/route-schemas.js";

/** What the embeddings routes need. */
export interface EmbeddingsRoutesDeps {
  gateway: ChatGateway;
  /** Inference keys, or an x402 payment when enabled. */
  access: InferenceAccess;
  catalog: Catalog;
  clock: () => Date;
}

/** Registers the embeddings routes on `app`. */
export function registerEmbeddingsRoutes(app: FastifyInstance, deps: EmbeddingsRoutesDeps): void {
  const embed = async (request: FastifyRequest, reply: FastifyReply) => {
    const { input, encodingFormat } = parseEmbeddingsRequest(request.body);
    const { caller, meta } = inferenceExchange(request, reply, deps.clock());
    const result = await deps.gateway.embed(caller, input, meta);
    return reply.header("x-generation-id", result.id).send(embeddingsResponse(result, encodingFormat));
  };
  // the embedding models a request can be served by (every one with ?all=true), in /models' shape
  const models = async (request: { query: ModelQuery }) => {
    const query = checkModelQuery(request.query);
    const matching = [...deps.catalog.models.values()].filter((model) => matchesModelQuery(model, { ...query, output_modalities: ["embeddings"] }));
    return { data: pageOf(matching, query).map(modelEntry), links: { next: null }, total_count: matching.length };
  };
  const routes = zodRoutes(app);
  const embedSchema = {
    summary: "Create embeddings",
    tags: ["inference"],
    security: security.inference,
    // validated by the format (formats/embeddings), once: described here only
    body: checkedByUseCase(embeddingsRequestSchema),
    response: { 200: embeddingsResponseSchema, ...keyedErrors, ...errorResponses(402, 404, 408, 413, 502, 503) },
  };
  routes.post("/embeddings", { schema: embedSchema, preHandler: deps.access.preHandler((body) => deps.gateway.quoteEmbeddings(parseEmbeddingsRequest(body).input)) }, embed);
  const modelsSchema = {
    summary: "The embedding models a request can be served by",
    tags: ["models"],
    querystring: modelQuery,
    response: { 200: modelListWire, ...publicErrors },
  };
  routes.get("/embeddings/models", { schema: modelsSchema }, models);
}
