/**
 * An account's own provider keys, in OpenRouter's BYOK shape: GET /byok, POST /byok {provider,
 * key}, GET|PATCH|DELETE /byok/{id}. farebox keeps one key per provider, so a credential's id is
 * a UUID derived from account and provider (stable across rotations), and the provider slug is
 * accepted in its place. PUT /byok/{provider} {api_key, always_use?} stays as farebox's own upsert.
 * Keys are sealed before storage and never returned: responses show the last four characters only.
 */
import { createHash } from "node:crypto";
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from "fastify";
import { z } from "zod";
import type { ByokKeySummary, ByokStore } from "../../byok/store.js";
import { AppError, notFound } from "../../domain/errors.js";
import { storableText } from "../../domain/storable-text.js";
import type { Caller } from "../../gateway/ports.js";
import { errorResponses, keyedErrors, security } from "../openapi/common-schemas.js";
import { zodRoutes } from "../openapi/route-schemas.js";

/** What the BYOK routes need. */
export interface ByokRoutesDeps {
  /** Absent when no master key is configured: the routes then answer 403 naming the setting. */
  store: ByokStore | undefined;
  /** Runs before each handler (the app's key check); optional. */
  preHandler?: preHandlerAsyncHookHandler;
  authenticate: (request: FastifyRequest) => Promise<Caller>;
  /** The provider slugs farebox knows (the catalog's providers): keys may be stored for these. */
  providers: ReadonlySet<string>;
}

const apiKey = storableText()
  .min(8, "is too short to be a provider key")
  .max(1024, "is too long")
  .regex(/^\S+$/, "must not contain whitespace");

const putBody = z.strictObject({ api_key: apiKey, always_use: z.boolean().optional() });

/**
 * OpenRouter's credential options farebox does not have (per-key allowlists, fallback ordering,
 * disabled credentials, names) are accepted only at the value meaning "none", so a client never
 * believes a restriction holds that farebox would not enforce.
 */
const unsupported = {
  name: z.null().optional(),
  disabled: z.literal(false).optional(),
  is_fallback: z.literal(false).optional(),
  allowed_models: z.null().optional(),
  allowed_user_ids: z.null().optional(),
  allowed_api_key_hashes: z.null().optional(),
};
const createBody = z.strictObject({ provider: storableText().min(1).max(64), key: apiKey, workspace_id: z.string().optional(), ...unsupported });
const patchBody = z.strictObject({ key: apiKey.optional(), ...unsupported });
const listQuery = z.object({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(100).default(100),
  provider: storableText().max(64).optional(),
  workspace_id: z.string().optional(),
});

/** The credential's public id: a UUID (version 8, name-based) from account and provider. */
export function credentialId(accountId: string, provider: string): string {
  const bytes = createHash("sha256").update(`byok\0${accountId}\0${provider}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** One credential in OpenRouter's BYOK shape, with farebox's own fields after it. */
function wire(accountId: string, summary: ByokKeySummary): z.infer<typeof credentialWire> {
  return {
    id: credentialId(accountId, summary.provider),
    provider: summary.provider,
    label: `…${summary.lastFour}`,
    name: null,
    disabled: false,
    is_fallback: false,
    sort_order: 0,
    allowed_models: null,
    allowed_user_ids: null,
    allowed_api_key_hashes: null,
    workspace_id: null,
    key_last_four: summary.lastFour,
    always_use: summary.alwaysUse,
    created_at: summary.createdAt.toISOString(),
    updated_at: summary.updatedAt.toISOString(),
    last_used_at: summary.lastUsedAt?.toISOString() ?? null,
    last_rejected_at: summary.lastRejectedAt?.toISOString() ?? null,
  };
}

/** One credential as the wire shows it (`wire`). */
const credentialWire = z.object({
  id: z.string(),
  provider: z.string(),
  label: z.string(),
  name: z.null(),
  disabled: z.literal(false),
  is_fallback: z.literal(false),
  sort_order: z.int(),
  allowed_models: z.null(),
  allowed_user_ids: z.null(),
  allowed_api_key_hashes: z.null(),
  workspace_id: z.null(),
  key_last_four: z.string(),
  always_use: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
  last_used_at: z.string().nullable(),
  last_rejected_at: z.string().nullable(),
});
const idParams = z.object({ id: z.string().describe("The credential's id, or the provider slug") });

/** Registers the BYOK routes (relative to the API prefix). */
export function registerByokRoutes(app: FastifyInstance, deps: ByokRoutesDeps): void {
  const knownProvider = (slug: string, param: string): string => {
    if (!deps.providers.has(slug)) throw notFound(`Unknown provider ${JSON.stringify(slug.slice(0, 64))}.`, { param });
    return slug;
  };
  /** The provider a path names: its slug, or a credential id of the caller's account. */
  const pathProvider = (request: FastifyRequest, accountId: string): string => {
    const id = (request.params as { id?: string }).id ?? "";
    const byId = [...deps.providers].find((slug) => credentialId(accountId, slug) === id);
    return knownProvider(byId ?? id, "id");
  };

  const store = (): ByokStore => {
    if (deps.store) return deps.store;
    // a setting, not a passing condition: 403 so clients do not retry
    throw new AppError("Bring-your-own-key is not enabled on this server: the operator must set FAREBOX_BYOK_MASTER_KEY.", {
      httpStatus: 403,
      errorType: "permission_denied",
      metadata: { setting: "FAREBOX_BYOK_MASTER_KEY" },
    });
  };
  const find = async (accountId: string, provider: string) => {
    const found = (await store().list(accountId)).find((summary) => summary.provider === provider);
    if (!found) throw notFound(`No key stored for provider ${provider}.`);
    return found;
  };
  const routes = zodRoutes(app);
  const options = deps.preHandler ? { preHandler: deps.preHandler } : {};
  const common = { tags: ["byok"], security: security.management };
  const one = { 200: z.object({ data: credentialWire }), ...keyedErrors, ...errorResponses(404) };

  const listSchema = { ...common, summary: "The account's provider keys", querystring: listQuery, response: { 200: z.object({ data: z.array(credentialWire), total_count: z.int() }), ...keyedErrors } };
  routes.get("/byok", { ...options, schema: listSchema }, async (request) => {
    const caller = await deps.authenticate(request);
    const query = request.query;
    const all = (await store().list(caller.accountId)).filter((summary) => query.provider === undefined || summary.provider === query.provider);
    return { data: all.slice(query.offset, query.offset + query.limit).map((summary) => wire(caller.accountId, summary)), total_count: all.length };
  });

  const createSchema = { ...common, summary: "Store a provider key", body: createBody, response: { 201: z.object({ data: credentialWire }), ...keyedErrors, ...errorResponses(404) } };
  routes.post("/byok", { ...options, schema: createSchema }, async (request, reply) => {
    const caller = await deps.authenticate(request);
    const body = request.body;
    const saved = await store().put(caller.accountId, knownProvider(body.provider, "provider"), body.key);
    return reply.status(201).send({ data: wire(caller.accountId, saved) });
  });

  routes.get("/byok/:id", { ...options, schema: { ...common, summary: "One provider key", params: idParams, response: one } }, async (request) => {
    const caller = await deps.authenticate(request);
    return { data: wire(caller.accountId, await find(caller.accountId, pathProvider(request, caller.accountId))) };
  });

  routes.patch("/byok/:id", { ...options, schema: { ...common, summary: "Replace a provider key", params: idParams, body: patchBody, response: one } }, async (request) => {
    const caller = await deps.authenticate(request);
    const provider = pathProvider(request, caller.accountId);
    const body = request.body;
    const current = await find(caller.accountId, provider);
    const saved = body.key === undefined ? current : await store().put(caller.accountId, provider, body.key, current.alwaysUse);
    return { data: wire(caller.accountId, saved) };
  });

  const putSchema = { ...common, summary: "Store or replace the key of a provider (farebox's upsert)", params: idParams, body: putBody, response: one };
  routes.put("/byok/:id", { ...options, schema: putSchema }, async (request) => {
    const caller = await deps.authenticate(request);
    const provider = pathProvider(request, caller.accountId);
    const body = request.body;
    const saved = await store().put(caller.accountId, provider, body.api_key, body.always_use ?? false);
    return { data: wire(caller.accountId, saved) };
  });

  const deleteSchema = { ...common, summary: "Delete a provider key", params: idParams, response: { 200: z.object({ deleted: z.literal(true) }), ...keyedErrors, ...errorResponses(404) } };
  routes.delete("/byok/:id", { ...options, schema: deleteSchema }, async (request) => {
    const caller = await deps.authenticate(request);
    const provider = pathProvider(request, caller.accountId);
    if (!(await store().remove(caller.accountId, provider))) throw notFound(`No key stored for provider ${provider}.`);
    return { deleted: true as const };
  });
}
