/**
 * Every fastify app a test builds (in this process) checks each JSON response against farebox's
 * own OpenAPI document (the app's /api/v1/openapi.json: what a client generated from it expects,
 * for the status if the document lists it), and each JSON response of a route farebox shares
 * with OpenRouter against the spec's schema for that path, method and status; the test that made
 * the call fails listing what is missing or mistyped. A request using a query parameter
 * or value the spec does not declare (a farebox extension such as `group_by=model`) gets
 * farebox's shape and is not checked. Hooked through fastify's
 * `fastify.initialization` diagnostics channel, so no app code changes for tests.
 */
import { subscribe } from "node:diagnostics_channel";
import type { FastifyInstance } from "fastify";
import { afterEach } from "vitest";
import type { ErrorObject } from "ajv";
import { OpenApiValidators, type OpenApiDocument } from "./openapi-validators.js";
import { isSpecQuery, load, responseValidator, specPathFor } from "./openrouter-spec.js";

// before any test runs, so no request waits for it
load();

const violations: string[] = [];

/**
 * Provider names and slugs are the operator's (any OpenAI-compatible server can be added in the
 * config), so the spec's closed list of OpenRouter's providers cannot hold for them.
 */
const OPERATOR_NAMED = /\/(provider_name|provider)$/u;

function valueAt(body: unknown, pointer: string): unknown {
  let value = body;
  for (const part of pointer.split("/").slice(1)) value = (value as Record<string, unknown> | undefined)?.[part.replace(/~1/gu, "/").replace(/~0/gu, "~")];
  return value;
}

const describe = (errors: ErrorObject[], body: unknown) =>
  errors.map((e) => `${e.instancePath || "/"} ${e.message ?? ""}${e.keyword === "enum" ? ` (got ${JSON.stringify(valueAt(body, e.instancePath))})` : ` ${JSON.stringify(e.params)}`}`);

/** farebox's own document, read from the app once it is ready; its paths are under /api/v1 only (/v1 is an alias). */
function ownDocument(fastify: FastifyInstance): OpenApiValidators | undefined {
  if (typeof (fastify as { swagger?: unknown }).swagger !== "function") return undefined;
  const spec = fastify.swagger() as unknown as OpenApiDocument;
  return new OpenApiValidators(spec, "farebox", (routeUrl) => routeUrl.replace(/^\/v1\//u, "/api/v1/"));
}

function checkOwnDocument(own: OpenApiValidators, method: string, routeUrl: string, status: number, body: unknown): void {
  const path = own.pathFor(routeUrl);
  const validate = path && own.responseValidator(path, method, status, { useDefault: false });
  if (!validate || validate(body)) return;
  violations.push(`${method} ${routeUrl} ${status} does not match farebox's own document (/api/v1/openapi.json):\n  ${describe(validate.errors ?? [], body).slice(0, 20).join("\n  ")}`);
}

subscribe("fastify.initialization", (message) => {
  const { fastify } = message as { fastify: FastifyInstance };
  let own: OpenApiValidators | undefined | null = null;
  fastify.addHook("onSend", async (request, reply, payload) => {
    const routeUrl = request.routeOptions.url;
    if (routeUrl === undefined || typeof payload !== "string") return payload;
    if (!String(reply.getHeader("content-type") ?? "").startsWith("application/json")) return payload;
    let body: unknown;
    try {
      body = JSON.parse(payload);
    } catch {
      violations.push(`${request.method} ${routeUrl} ${reply.statusCode}: body is not JSON`);
      return payload;
    }
    try {
      own ??= ownDocument(fastify);
      if (own) checkOwnDocument(own, request.method, routeUrl, reply.statusCode, body);
    } catch (error) {
      violations.push(`${request.method} ${routeUrl} ${reply.statusCode}: farebox's own document could not check it: ${String(error)}`);
    }
    const specPath = specPathFor(routeUrl);
    if (!specPath) return payload;
    // a farebox-only query parameter (e.g. /activity?group_by=model) asks for farebox's own shape
    // the query as sent (request.query holds what the route's schema parsed, defaults included)
    const sent = Object.fromEntries(new URL(request.url, "http://farebox").searchParams);
    if (!isSpecQuery(specPath, request.method, sent)) return payload;
    const validate = responseValidator(specPath, request.method, reply.statusCode);
    if (!validate) return payload;
    const problems = describe((validate(body) ? [] : (validate.errors ?? [])).filter((e) => !(e.keyword === "enum" && OPERATOR_NAMED.test(e.instancePath))), body);
    if (problems.length > 0) {
      violations.push(`${request.method} ${routeUrl} ${reply.statusCode} does not match OpenRouter's ${specPath} schema:\n  ${problems.slice(0, 20).join("\n  ")}`);
    }
    return payload;
  });
});

afterEach(() => {
  if (violations.length === 0) return;
  const found = violations.splice(0);
  throw new Error(`Responses that break OpenRouter's published schema or farebox's own document:\n${[...new Set(found)].join("\n")}`);
});
