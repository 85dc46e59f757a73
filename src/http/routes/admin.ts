import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { AppError, badRequest, conflict, notFound } from "../../domain/errors.js";
import { storableText } from "../../domain/storable-text.js";
import { nanoToUsdString } from "../../domain/money.js";
import { openAccount } from "../../auth/open-account.js";
import { listAccounts, postAdminCredit } from "../../ledger/index.js";
import { requireAdmin } from "../plugins/auth.js";
import { usdAmount } from "../usd-input.js";
import { errorResponses, keyedErrors, security, usdString } from "../openapi/common-schemas.js";
import { zodRoutes } from "../openapi/route-schemas.js";
import type { RouteDeps } from "./deps.js";

const createAccountBody = z.object({ name: storableText().trim().min(1).max(200).optional() }).strict();
const creditBody = z
  .object({
    amount_usd: usdAmount,
    reason: storableText().trim().min(1).max(500),
    /** Makes a retried call safe: the same key credits this account once; reused with other data → 409. */
    idempotency_key: storableText().min(1).max(200).optional(),
  })
  .strict();
const accountParams = z.object({ id: storableText().min(1).max(100) });
const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

const accountWire = z.object({
  id: z.string(),
  name: z.string().nullable(),
  created_at: z.string(),
  balance_usd: usdString,
  held_usd: usdString,
  available_usd: usdString,
});

/** The operator's API, present only when FAREBOX_ADMIN_TOKEN is set. */
export function registerAdminRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const adminToken = deps.config.adminToken;
  if (!adminToken) return;
  const routes = zodRoutes(app);
  const admin = { preHandler: requireAdmin(adminToken) };
  const common = { tags: ["admin"], security: security.admin };

  const createSchema = {
    ...common,
    summary: "Open an account",
    description: "Returns the account's first management key, shown once.",
    body: createAccountBody,
    response: { 201: z.object({ account_id: z.string(), key: z.string() }), ...keyedErrors },
  };
  routes.post("/admin/accounts", { ...admin, schema: createSchema }, async (request, reply) => {
    const body = request.body;
    const { accountId, secret } = await openAccount(deps.db, { name: body.name });
    return reply.status(201).send({ account_id: accountId, key: secret });
  });

  const listSchema = { ...common, summary: "List accounts with their balances", querystring: listQuery, response: { 200: z.object({ data: z.array(accountWire) }), ...keyedErrors } };
  routes.get("/admin/accounts", { ...admin, schema: listSchema }, async (request) => {
    const query = request.query;
    const rows = await listAccounts(deps.db, query);
    return {
      data: rows.map((row) => ({
        id: row.id,
        name: row.name,
        created_at: row.createdAt.toISOString(),
        balance_usd: nanoToUsdString(row.balanceNano),
        held_usd: nanoToUsdString(row.heldNano),
        available_usd: nanoToUsdString(row.availableNano),
      })),
    };
  });

  const credited = z.object({ data: z.object({ entry_id: z.string(), duplicate: z.boolean(), balance_usd: usdString }) });
  const creditSchema = {
    ...common,
    summary: "Credit an account",
    description: "Idempotent with `idempotency_key`: a repeat answers 200 with `duplicate: true`; the key reused with other data answers 409.",
    params: accountParams,
    body: creditBody,
    response: { 200: credited, 201: credited, ...keyedErrors, ...errorResponses(404, 409, 422) },
  };
  routes.post("/admin/accounts/:id/credits", { ...admin, schema: creditSchema }, async (request, reply) => {
    const { id } = request.params;
    const body = request.body;
    const result = await postAdminCredit(deps.db, {
      accountId: id,
      amountNano: body.amount_usd,
      reason: body.reason,
      idempotencyKey: body.idempotency_key,
    });
    switch (result.status) {
      case "not_positive":
        throw badRequest("amount_usd must be a positive amount", { param: "amount_usd" });
      case "no_account":
        throw notFound(`No account ${id}`);
      case "conflict":
        throw conflict(
          `idempotency_key ${JSON.stringify(body.idempotency_key)} was already used on this account with different data ` +
            `(amount_usd ${nanoToUsdString(result.amountNano)}, reason ${JSON.stringify(result.reason)}): use a new key for a new credit`,
          { reason: "exists_with_different_data", entry_id: result.entryId.toString() },
        );
      case "overflow":
        throw new AppError("This credit would take the balance beyond what the ledger can hold.", {
          httpStatus: 422,
          errorType: "unprocessable",
          metadata: { balance_usd: nanoToUsdString(result.balanceNano) },
        });
      default:
        return reply.status(result.status === "posted" ? 201 : 200).send({
          data: {
            entry_id: result.entryId.toString(),
            duplicate: result.status === "duplicate",
            balance_usd: nanoToUsdString(result.balanceNano),
          },
        });
    }
  });
}
