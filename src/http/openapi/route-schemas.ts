/**
 * How a route declares its schemas: once, in zod, in the route's `schema` (`params`,
 * `querystring`, `body`, `response`, plus `summary`, `tags` and `security` for the document).
 * The same declaration types the handler (fastify-type-provider-zod's `ZodTypeProvider`), checks
 * the request and describes the route in /api/v1/openapi.json.
 *
 * Request parts are checked by a pre-handler appended after the route's own (authentication, the
 * per-key rate limit), not in fastify's validation step that runs before every pre-handler: a
 * caller without a valid key learns 401, never the shape of a body it may not send. A failure is
 * the 400 of `parseInput` (every problem with its path). A part wrapped in `checkedByUseCase` is
 * described only: the chat route's body is validated by its use case, once.
 *
 * Responses are described, not re-encoded: the compiled serializer is `JSON.stringify`, what
 * fastify does for a route without a schema, so declaring a response adds no work to the request
 * path and never drops or rewrites a field; the suite checks real responses against the document.
 */
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyRequest,
  FastifySchema,
  FastifySchemaCompiler,
  FastifySerializerCompiler,
  FastifyServerOptions,
  preHandlerAsyncHookHandler,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { parseInput } from "../validation.js";

/** A fastify instance whose routes are typed from their zod schemas. */
export type ZodApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>;

/** The app with zod-typed routes (`withTypeProvider`, named once here). */
export function zodRoutes(app: FastifyInstance): ZodApp {
  return app.withTypeProvider<ZodTypeProvider>();
}

const describedOnly = new WeakSet<z.ZodType>();

/** Marks a request schema as documentation only: the handler's use case validates that part itself. */
export function checkedByUseCase<T extends z.ZodType>(schema: T): T {
  describedOnly.add(schema);
  return schema;
}

/** The request parts checked, with the name a 400 gives each. */
const PARTS = [
  ["params", "path"],
  ["querystring", "query"],
  ["body", "body"],
] as const;

type RequestSlot = "params" | "query" | "body";
const SLOT: Record<(typeof PARTS)[number][0], RequestSlot> = { params: "params", querystring: "query", body: "body" };

/** The pre-handler that checks a route's declared request parts, or undefined when it declares none. */
function inputCheck(schema: FastifySchema | undefined): preHandlerAsyncHookHandler | undefined {
  const checks = PARTS.flatMap(([part, label]) => {
    const declared = schema?.[part];
    return declared instanceof z.ZodType && !describedOnly.has(declared) ? [{ slot: SLOT[part], declared, label }] : [];
  });
  if (checks.length === 0) return undefined;
  return async (request: FastifyRequest) => {
    const slots = request as unknown as Record<RequestSlot, unknown>;
    for (const { slot, declared, label } of checks) slots[slot] = parseInput(declared, slots[slot], label);
  };
}

/** How every answer is serialised: what fastify does for a route without a response schema. */
const serializeJson = (data: unknown): string => JSON.stringify(data);

/** One way to declare a schema: a JSON Schema would be neither checked nor documented, so it fails at start. */
function zodOnly(schema: unknown, where: string): void {
  if (!(schema instanceof z.ZodType)) throw new Error(`${where}: declare the schema in zod (src/http/openapi/route-schemas.ts)`);
}

const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, method, url, httpPart }) => {
  zodOnly(schema, `${method} ${url} ${httpPart ?? ""}`);
  return () => true;
};

const serializerCompiler: FastifySerializerCompiler<unknown> = ({ schema, method, url, httpStatus }) => {
  zodOnly(schema, `${method} ${url} response ${httpStatus}`);
  return serializeJson;
};

type Compilers = NonNullable<NonNullable<FastifyServerOptions["schemaController"]>["compilersFactory"]>;

/**
 * fastify's compilers for zod schemas, given when the app is built (`schemaController` of
 * fastify's options) so that its JSON Schema ones are never loaded: building the app without them
 * is ≈0.1 s sooner on the 2-core VM (ajv and fast-json-stringify, ≈110 modules; bench/RESULTS.md,
 * "A first start without initdb"). fastify's own validation step accepts: the check is the
 * pre-handler above, after authentication; every answer is written with JSON.stringify.
 */
export const zodSchemaController: NonNullable<FastifyServerOptions["schemaController"]> = {
  compilersFactory: {
    // fastify calls what a factory returns as it calls setValidatorCompiler's and setSerializerCompiler's
    // compilers (with the route's schema definition); its option's types name ajv's and fast-json-stringify's own
    buildValidator: (() => validatorCompiler) as unknown as Compilers["buildValidator"],
    buildSerializer: (() => serializerCompiler) as unknown as Compilers["buildSerializer"],
  },
};

/**
 * Appends each route's input check after its own pre-handlers, and answers with JSON.stringify.
 * Register before the routes, after the per-key rate limit (whose pre-handler runs first), on an
 * app built with {@link zodSchemaController}.
 */
export function registerRouteSchemas(app: FastifyInstance): void {
  // What every compiled serializer is, as the default of every route declared afterwards: fastify
  // uses it before looking for the route's compiled one, which it found per response by status and
  // by the parsed content type (≈0.5 % of a chat request's busy time; bench/RESULTS.md, "Fifth pass").
  app.setReplySerializer(serializeJson);
  app.addHook("onRoute", (route) => {
    const check = inputCheck(route.schema);
    if (!check) return;
    const own = route.preHandler === undefined ? [] : Array.isArray(route.preHandler) ? route.preHandler : [route.preHandler];
    route.preHandler = [...own, check];
  });
}
