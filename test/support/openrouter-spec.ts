/**
 * OpenRouter's published OpenAPI document (test/support/openrouter/openapi.yaml) as response
 * validators: for a farebox route shared with the spec, the schema the spec gives for that
 * path, method and status. ajv compiles each one on first use, so a test file pays only for the
 * routes it calls.
 */
import { readFileSync } from "node:fs";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { inject } from "vitest";
const SPEC_ID = "openrouter";
/** Formats the spec names that JSON Schema does not define (OpenAPI's number widths). */
const OPENAPI_FORMATS = ["double", "float", "int32", "int64"];

interface SpecOperation {
  parameters?: { name: string; in: string; schema?: { enum?: unknown[] } }[];
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

interface SpecDocument {
  paths: Record<string, Record<string, SpecOperation>>;
}

let loaded: { ajv: Ajv2020; spec: SpecDocument; paths: Map<string, string> } | undefined;

/** Loads the spec (parsed to JSON once per run by global-setup.ts). */
export function load() {
  if (loaded) return loaded;
  const spec = JSON.parse(readFileSync(inject("openRouterSpecJsonPath"), "utf8")) as SpecDocument;
  const ajv = new Ajv2020({ strict: false, allErrors: true, allowUnionTypes: true });
  const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;
  addFormats(ajv);
  for (const format of OPENAPI_FORMATS) ajv.addFormat(format, true);
  ajv.addSchema({ $id: SPEC_ID, ...spec } as object);
  // the spec writes /keys/{hash}; fastify writes /keys/:hash
  const paths = new Map(Object.keys(spec.paths).map((path) => [path.replace(/\{(\w+)\}/gu, ":$1"), path]));
  loaded = { ajv, spec, paths };
  return loaded;
}

const validators = new Map<string, ValidateFunction | null>();

/**
 * The spec's path for a farebox route pattern (`/api/v1/keys/:hash` or `/v1/keys/:hash` →
 * `/keys/{hash}`), or undefined when the route is farebox's own. Parameter names may differ
 * (`:provider` vs `{id}`): segments are matched by position.
 */
export function specPathFor(routeUrl: string): string | undefined {
  const { paths } = load();
  const tail = routeUrl.replace(/^\/(api\/)?v1(?=\/)/u, "");
  if (tail === routeUrl) return undefined;
  const shape = tail.replace(/:\w+/gu, ":");
  for (const [pattern, specPath] of paths) if (pattern.replace(/:\w+/gu, ":") === shape) return specPath;
  return undefined;
}

/**
 * Whether every query parameter is one the spec declares for `specPath`/`method`, with a value
 * its enum allows. Otherwise the request used a farebox extension (`/activity?group_by=model`).
 */
export function isSpecQuery(specPath: string, method: string, query: Record<string, unknown>): boolean {
  const operation = load().spec.paths[specPath]?.[method.toLowerCase()];
  const declared = new Map((operation?.parameters ?? []).filter((parameter) => parameter.in === "query").map((parameter) => [parameter.name, parameter]));
  return Object.entries(query).every(([name, value]) => {
    const parameter = declared.get(name);
    return parameter !== undefined && (parameter.schema?.enum === undefined || parameter.schema.enum.includes(value));
  });
}

/** The validator for a JSON response of `specPath`/`method`/`status`; null when the spec gives none. */
export function responseValidator(specPath: string, method: string, status: number): ValidateFunction | null {
  const key = `${method} ${specPath} ${status}`;
  const known = validators.get(key);
  if (known !== undefined) return known;
  const { ajv, spec } = load();
  const operation = spec.paths[specPath]?.[method.toLowerCase()];
  const response = operation?.responses?.[String(status)] ?? operation?.responses?.default;
  const found = response?.content?.["application/json"]?.schema !== undefined;
  const pointer = ["paths", specPath, method.toLowerCase(), "responses", operation?.responses?.[String(status)] ? String(status) : "default", "content", "application/json", "schema"]
    .map((part) => part.replace(/~/gu, "~0").replace(/\//gu, "~1"))
    .join("/");
  const validator = found ? ajv.compile({ $ref: `${SPEC_ID}#/${pointer}` }) : null;
  validators.set(key, validator);
  return validator;
}
