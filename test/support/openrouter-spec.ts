/**
 * OpenRouter's published OpenAPI document (test/support/openrouter/openapi.yaml) as response
 * validators: for a farebox route shared with the spec, the schema the spec gives for that
 * path, method and status.
 */
import { readFileSync } from "node:fs";
import type { ValidateFunction } from "ajv/dist/2020.js";
import { inject } from "vitest";
import { OpenApiValidators, type OpenApiDocument } from "./openapi-validators.js";

let loaded: OpenApiValidators | undefined;

/** Loads the spec (parsed to JSON once per run by global-setup.ts). */
export function load(): OpenApiValidators {
  if (loaded) return loaded;
  const spec = JSON.parse(readFileSync(inject("openRouterSpecJsonPath"), "utf8")) as OpenApiDocument;
  // the spec's paths are relative to OpenRouter's base URL: /keys/{hash} for /api/v1/keys/:hash
  loaded = new OpenApiValidators(spec, "openrouter", (routeUrl) => {
    const tail = routeUrl.replace(/^\/(api\/)?v1(?=\/)/u, "");
    return tail === routeUrl ? undefined : tail;
  });
  return loaded;
}

/**
 * The spec's path for a farebox route pattern (`/api/v1/keys/:hash` or `/v1/keys/:hash` →
 * `/keys/{hash}`), or undefined when the route is farebox's own. Parameter names may differ
 * (`:provider` vs `{id}`): segments are matched by position.
 */
export function specPathFor(routeUrl: string): string | undefined {
  return load().pathFor(routeUrl);
}

/**
 * Whether every query parameter is one the spec declares for `specPath`/`method`, with a value
 * its enum allows. Otherwise the request used a farebox extension (`/activity?group_by=model`).
 */
export function isSpecQuery(specPath: string, method: string, query: Record<string, unknown>): boolean {
  return load().isDeclaredQuery(specPath, method, query);
}

/** The validator for a JSON response of `specPath`/`method`/`status`; null when the spec gives none. */
export function responseValidator(specPath: string, method: string, status: number): ValidateFunction | null {
  return load().responseValidator(specPath, method, status);
}
