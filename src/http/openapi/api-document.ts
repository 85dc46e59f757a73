/**
 * farebox's own OpenAPI document, generated from the routes' zod schemas (route-schemas.ts) by
 * @fastify/swagger with fastify-type-provider-zod's transforms, served at /api/v1/openapi.json,
 * and the interactive docs at /docs (@fastify/swagger-ui, which serves its own assets: no CDN).
 */
import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import { readFileSync } from "node:fs";
import type { FastifyInstance } from "fastify";
import { jsonSchemaTransform, jsonSchemaTransformObject } from "fastify-type-provider-zod";
import { z } from "zod";
import { API_PREFIXES } from "../api-prefixes.js";
import { SECURITY_SCHEMES } from "./common-schemas.js";

/** Where the document is served. */
export const OPENAPI_PATH = `${API_PREFIXES[0]}/openapi.json`;
/** Where the interactive docs are served. */
export const DOCS_PATH = "/docs";

/** API paths listed once: under the first prefix. The others are aliases. */
const ALIAS_PREFIXES = API_PREFIXES.slice(1).map((prefix) => `${prefix}/`);

const DESCRIPTION = [
  "farebox is a self-hosted, OpenRouter-compatible LLM gateway paid for with crypto.",
  `Every route below also answers under ${API_PREFIXES.slice(1).join(", ")} in place of ${API_PREFIXES[0]} (an alias for clients configured with a bare host); the aliases are not listed twice.`,
  "Routes OpenRouter also has answer in OpenRouter's shapes; the others (wallet sign-in, deposits and intents, admin) are farebox's own.",
  'Every error answers in OpenRouter\'s envelope `{"error":{"code","message","metadata"}}` (ErrorResponse) with the HTTP status in `code`.',
].join("\n\n");

/**
 * Registers the generator and the docs. Call before the routes: @fastify/swagger collects the
 * routes declared after it.
 */
export async function registerApiDocument(app: FastifyInstance): Promise<void> {
  const { version } = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string };
  await app.register(fastifySwagger, {
    openapi: {
      openapi: "3.1.0",
      info: { title: "farebox", version, description: DESCRIPTION },
      components: { securitySchemes: SECURITY_SCHEMES },
    },
    transform: (route) => {
      if (ALIAS_PREFIXES.some((prefix) => route.url.startsWith(prefix))) return { schema: { ...route.schema, hide: true }, url: route.url };
      return jsonSchemaTransform(route);
    },
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: DOCS_PATH, uiConfig: { url: OPENAPI_PATH } });
  app.get(OPENAPI_PATH, {
    schema: {
      summary: "This document",
      tags: ["meta"],
      response: { 200: z.looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.record(z.string(), z.unknown()) }) },
    },
  }, async () => app.swagger());
}
