import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { badRequest, notFound } from "../../domain/errors.js";
import { newId } from "../../domain/ids.js";
import { nanoToUsdString } from "../../domain/money.js";
import { createKey } from "../../keys/index.js";
import { createAccount, getBalance, listAccounts, postEntry } from "../../ledger/index.js";
import { requireAdmin } from "../plugins/auth.js";
import { usdAmount } from "../usd-input.js";
import { parseInput } from "../validation.js";
import type { RouteDeps } from "./deps.js";

const createAccountBody = z.object({ name: z.string().trim().min(1).max(200).optional() }).strict();
const creditBody = z
  .object({
    amount_usd: usdAmount,
    reason: z.string().trim().min(1).max(500),
    /** Makes a retried call safe: the same key credits once. */
    idempotency_key: z.string().min(1).max(200).optional(),
  })
  .strict();
const accountParams = z.object({ id: z.string().min(1).max(100) });
const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

/** The operator's API, present only when FAREBOX_ADMIN_TOKEN is set. */
export function registerAdminRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const adminToken = deps.config.adminToken;
  if (!adminToken) return;
  const admin = { preHandler: requireAdmin(adminToken) };

  app.post("/api/v1/admin/accounts", admin, async (request, reply) => {
    const body = parseInput(createAccountBody, request.body);
    const accountId = await createAccount(deps.db, { name: body.name });
    const { secret } = await createKey(deps.db, { accountId, kind: "management", name: "Management key" });
    return reply.status(201).send({ account_id: accountId, key: secret });
  });

  app.get("/api/v1/admin/accounts", admin, async (request) => {
    const query = parseInput(listQuery, request.query, "query");
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

  app.post("/api/v1/admin/accounts/:id/credits", admin, async (request, reply) => {
    const { id } = parseInput(accountParams, request.params, "path");
    const body = parseInput(creditBody, request.body);
    if (body.amount_usd <= 0n) throw badRequest("amount_usd must be a positive amount");
    if (!(await getBalance(deps.db, id))) throw notFound(`No account ${id}`);
    const result = await postEntry(deps.db, {
      accountId: id,
      kind: "adjustment",
      amountNano: body.amount_usd,
      idempotencyKey: `admin:${body.idempotency_key ?? newId("adj")}`,
      metadata: { reason: body.reason },
    });
    const balance = await getBalance(deps.db, id);
    return reply.status(result.status === "posted" ? 201 : 200).send({
      data: {
        entry_id: result.entryId.toString(),
        duplicate: result.status === "duplicate",
        balance_usd: nanoToUsdString(balance?.balanceNano ?? 0n),
      },
    });
  });
}
