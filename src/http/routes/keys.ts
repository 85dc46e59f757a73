import { queryKeyUsage, keyUsageWire, usageOf, type RollupKeyUsage } from "../../analytics/key-usage.js";
import { nanoToUsdNumber } from "../../domain/money.js";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { notFound } from "../../domain/errors.js";
import { storableText } from "../../domain/storable-text.js";
import { changeAccountKey, createInferenceKey, deleteKey, findAccountKey, keyUsage, listKeys, NO_USAGE, type ApiKey } from "../../keys/index.js";
import { callerKey, requireKey } from "../plugins/auth.js";
import { keyWire, presentKey } from "../presenters/key.js";
import { errorResponses, keyedErrors, security } from "../openapi/common-schemas.js";
import { zodRoutes } from "../openapi/route-schemas.js";
import { rateLimitInput } from "../rate-limit-wire.js";
import { usdAmount } from "../usd-input.js";
import type { RouteDeps } from "./deps.js";

const PAGE_SIZE = 100;

const limitFields = {
  limit: usdAmount.nullable().optional(),
  limit_reset: z.enum(["daily", "weekly", "monthly"]).nullable().optional(),
  include_byok_in_limit: z.boolean().optional(),
  rate_limit: rateLimitInput.optional(),
};

const createBody = z
  .object({
    name: storableText().trim().min(1).max(200),
    ...limitFields,
    expires_at: z.iso.datetime({ offset: true }).nullable().optional(),
  })
  .strict();

const patchBody = z
  .object({ name: storableText().trim().min(1).max(200).optional(), disabled: z.boolean().optional(), ...limitFields })
  .strict();

const listQuery = z.object({
  offset: z.coerce.number().int().min(0).default(0),
  include_disabled: z.enum(["true", "false"]).default("false"),
});

const hashParams = z.object({ hash: z.string().regex(/^[0-9a-f]{64}$/, "must be a 64-character sha256 hex hash") });

/**
 * OpenRouter's key management (reference §4): management keys create, list, change and delete
 * the account's inference keys; GET /key describes the calling key itself.
 */
export function registerKeyRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const routes = zodRoutes(app);
  const management = { preHandler: requireKey(deps.keys, ["management"]) };
  const anyKey = { preHandler: requireKey(deps.keys, ["inference", "management"]) };
  const tags = ["keys"];
  const managed = { tags, security: security.management };

  const present = async (keys: ApiKey[]) => {
    const now = deps.clock();
    // credit spend per key from the ledger and BYOK spend from the analytics rollups (all keys
    // listed belong to the caller's account), read together
    const [usage, byok] = await Promise.all([
      keyUsage(deps.db, keys.map((key) => key.id), now),
      keys[0] ? queryKeyUsage(deps.db, keys[0].accountId, now) : new Map<string, RollupKeyUsage>(),
    ]);
    return keys.map((key) => presentKey(key, usage.get(key.id) ?? NO_USAGE, keyUsageWire(usageOf(byok, key.id), nanoToUsdNumber)));
  };

  for (const path of ["/key", "/auth/key"]) {
    const schema = { summary: "The calling key", tags, security: security.anyKey, response: { 200: z.object({ data: keyWire }), ...keyedErrors } };
    routes.get(path, { ...anyKey, schema }, async (request) => ({ data: (await present([callerKey(request)]))[0]! }));
  }

  const createSchema = { ...managed, summary: "Create an inference key", body: createBody, response: { 201: z.object({ data: keyWire, key: z.string() }), ...keyedErrors } };
  routes.post("/keys", { ...management, schema: createSchema }, async (request, reply) => {
    const body = request.body;
    const input = {
      name: body.name,
      limitNano: body.limit ?? null,
      limitReset: body.limit_reset ?? null,
      includeByokInLimit: body.include_byok_in_limit ?? false,
      expiresAt: body.expires_at ? new Date(body.expires_at) : null,
      rateLimit: body.rate_limit ?? null,
    };
    const { key, secret } = await createInferenceKey(deps.db, callerKey(request).accountId, input, deps.clock());
    return reply.status(201).send({ data: presentKey(key, NO_USAGE), key: secret });
  });

  const listSchema = { ...managed, summary: "List the account's inference keys", querystring: listQuery, response: { 200: z.object({ data: z.array(keyWire) }), ...keyedErrors } };
  routes.get("/keys", { ...management, schema: listSchema }, async (request) => {
    const query = request.query;
    const keys = await listKeys(deps.db, callerKey(request).accountId, {
      offset: query.offset,
      limit: PAGE_SIZE,
      includeDisabled: query.include_disabled === "true",
      kind: "inference",
    });
    return { data: await present(keys) };
  });

  const one = { 200: z.object({ data: keyWire }), ...keyedErrors, ...errorResponses(404) };
  routes.get("/keys/:hash", { ...management, schema: { ...managed, summary: "One key", params: hashParams, response: one } }, async (request) => {
    const { hash } = request.params;
    const key = await findAccountKey(deps.db, callerKey(request).accountId, hash);
    if (!key) throw notFound("No key with that hash in this account");
    return { data: (await present([key]))[0]! };
  });

  routes.patch("/keys/:hash", { ...management, schema: { ...managed, summary: "Change a key", params: hashParams, body: patchBody, response: one } }, async (request) => {
    const { hash } = request.params;
    const body = request.body;
    const key = await changeAccountKey(deps.db, callerKey(request).accountId, hash, {
      name: body.name,
      disabled: body.disabled,
      limitNano: body.limit,
      limitReset: body.limit_reset,
      includeByokInLimit: body.include_byok_in_limit,
      rateLimit: body.rate_limit,
    });
    deps.keys.invalidate(hash);
    return { data: (await present([key]))[0]! };
  });

  const deleted = { 200: z.object({ deleted: z.literal(true) }), ...keyedErrors, ...errorResponses(404) };
  routes.delete("/keys/:hash", { ...management, schema: { ...managed, summary: "Delete a key", params: hashParams, response: deleted } }, async (request) => {
    const { hash } = request.params;
    if (!(await deleteKey(deps.db, callerKey(request).accountId, hash))) throw notFound("No key with that hash in this account");
    deps.keys.invalidate(hash);
    return { deleted: true as const };
  });
}
