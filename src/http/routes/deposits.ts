import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { listWallets } from "../../auth/sign-in.js";
import { unlinkWallet } from "../../auth/unlink-wallet.js";
import { formatDecimalScaled, nanoToUsdString } from "../../domain/money.js";
import { notFound } from "../../domain/errors.js";
import { storableText } from "../../domain/storable-text.js";
import { assignParkedDeposit } from "../../deposits/admin-assignment.js";
import { createIntent } from "../../deposits/intents.js";
import { listDepositsForWallets, listUnattributed, type DepositRow } from "../../deposits/listing.js";
import { callerKey, requireAdmin, requireKey } from "../plugins/auth.js";
import { errorResponses, keyedErrors, security, usdString } from "../openapi/common-schemas.js";
import { zodRoutes } from "../openapi/route-schemas.js";
import type { RouteDeps } from "./deps.js";
import type { WalletRouteDeps } from "./wallet-deps.js";

const intentBody = z
  .object({ chain: z.union([storableText().max(100), z.number()]), asset: storableText().min(1).max(40), amount_usd: z.union([z.number(), z.string()]) })
  .strict();
const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) });
const assignBody = z.object({ account_id: storableText().min(1).max(100) }).strict();
const depositParams = z.object({ id: storableText().min(1).max(100) });
const walletParams = z.object({ address: storableText().min(1).max(100) });

/** One deposit as the wire shows it (presentDeposit). */
const depositWire = z
  .object({
    id: z.string(),
    chain: z.string(),
    tx: z.string(),
    index: z.int(),
    from: z.string(),
    asset: z.string(),
    amount: z.string().describe("In the asset's units, an exact decimal string"),
    amount_base_units: z.string(),
    block: z.string(),
    status: z.string(),
    status_detail: z.string(),
    confirmations: z.int(),
    confirmations_required: z.union([z.int(), z.literal("finalized")]).nullable(),
    attribution: z.string().nullable(),
    intent_id: z.string().nullable(),
    usd_credited: usdString.nullable(),
    usd_value: usdString.nullable(),
    rate: z.object({ usd_per_unit: z.string(), round: z.string().nullable() }).nullable(),
    seen_at: z.string(),
    credited_at: z.string().nullable(),
  })
  .meta({ id: "Deposit" });

const depositAddress = z.object({
  chain: z.string(),
  family: z.string(),
  chain_id: z.int().nullable(),
  name: z.string(),
  address: z.string(),
  confirmations: z.union([z.int(), z.literal("finalized")]),
  assets: z.array(z.object({ symbol: z.string(), token_address: z.string().nullable(), decimals: z.int(), native: z.boolean(), priced_by_feed: z.boolean() })),
  attribution: z.array(z.string()),
  notice: z.string().nullable(),
});

const intentWire = z.object({
  id: z.string(),
  chain: z.string(),
  address: z.string(),
  asset: z.string(),
  amount: z.string(),
  amount_base_units: z.string(),
  amount_usd: usdString,
  quote: z.object({ usd_credited: usdString, honoured_until: z.string(), condition: z.string() }).nullable(),
  uri: z.string(),
  expires_at: z.string(),
});

/**
 * Confirmations to show: the count last recorded while the deposit waited, but at least the
 * required depth once it passed it (credited or parked for the admin), since the count is no
 * longer refreshed then and a credited deposit must never read "2 of 3".
 */
function atDepth(row: DepositRow, required: number | "finalized" | null): number {
  const confirmed = row.status === "credited" || row.status === "unattributed";
  return confirmed && typeof required === "number" ? Math.max(row.confirmations, required) : row.confirmations;
}

/** The wire shape of one deposit. */
function presentDeposit(row: DepositRow, wallet: WalletRouteDeps) {
  const chain = wallet.depositChains.find((c) => c.chain === row.chain);
  const asset = chain?.assets.find((a) => a.symbol === row.asset);
  const required = chain?.confirmations ?? null;
  const status =
    row.status === "seen"
      ? typeof required === "number"
        ? `confirming ${Math.min(row.confirmations, required)}/${required}`
        : "confirming"
      : row.status === "unattributed" && row.intentId
        ? "expired intent"
        : row.status;
  return {
    id: row.id,
    chain: row.chain,
    tx: row.txId,
    index: row.logIndex,
    from: row.fromAddress,
    asset: row.asset,
    amount: asset ? formatDecimalScaled(row.amountBaseUnits, asset.decimals) : row.amountBaseUnits.toString(),
    amount_base_units: row.amountBaseUnits.toString(),
    block: row.blockOrSlot.toString(),
    status: row.status === "seen" ? "seen" : row.status,
    status_detail: status,
    confirmations: atDepth(row, required),
    confirmations_required: required,
    attribution: row.attribution,
    intent_id: row.intentId,
    usd_credited: row.status === "credited" && row.valueNano !== null ? nanoToUsdString(row.valueNano) : null,
    usd_value: row.valueNano !== null ? nanoToUsdString(row.valueNano) : null,
    rate: row.rateAnswer !== null && row.rateDecimals !== null ? { usd_per_unit: formatDecimalScaled(row.rateAnswer, row.rateDecimals), round: row.rateRound } : null,
    seen_at: row.seenAt.toISOString(),
    credited_at: row.creditedAt?.toISOString() ?? null,
  };
}

/** Deposit addresses, intents and deposit history for accounts; unattributed deposits for the admin. */
export function registerDepositRoutes(app: FastifyInstance, deps: RouteDeps, wallet: WalletRouteDeps): void {
  const routes = zodRoutes(app);
  const management = { preHandler: requireKey(deps.keys, ["management"]) };
  const tags = ["deposits"];
  const managed = { tags, security: security.management };

  const addressesSchema = { summary: "Where to send deposits: each configured chain's treasury and assets", tags, response: { 200: z.object({ data: z.array(depositAddress) }) } };
  routes.get("/credits/deposit-addresses", { schema: addressesSchema }, async () => ({
    data: wallet.depositChains.map((chain) => ({
      chain: chain.chain,
      family: chain.family,
      chain_id: chain.chainId ?? null,
      name: chain.name,
      address: chain.treasury,
      confirmations: chain.confirmations,
      assets: chain.assets.map((a) => ({ symbol: a.symbol, token_address: a.tokenAddress ?? null, decimals: a.decimals, native: a.native, priced_by_feed: a.priced })),
      attribution: chain.attribution,
      notice: chain.notice ?? null,
    })),
  }));

  const intentSchema = {
    ...managed,
    summary: "Announce a deposit: an exact amount to send, attributed to this account",
    body: intentBody,
    response: { 201: intentWire, ...keyedErrors, ...errorResponses(503) },
  };
  routes.post("/credits/intents", { ...management, schema: intentSchema }, async (request, reply) => {
    const body = request.body;
    const intent = await createIntent(deps.db, wallet.depositChains, callerKey(request).accountId, body, deps.clock(), wallet.intentTtlMs);
    return reply.status(201).send({
      id: intent.id,
      chain: intent.chain,
      address: intent.address,
      asset: intent.asset,
      amount: formatDecimalScaled(intent.amountBaseUnits, intent.decimals),
      amount_base_units: intent.amountBaseUnits.toString(),
      amount_usd: nanoToUsdString(intent.amountUsdNano),
      // Paid at exactly `amount` before `expires_at`, a priced asset is credited at this quote, whatever the feed does meanwhile.
      quote: intent.priced
        ? { usd_credited: nanoToUsdString(intent.amountUsdNano), honoured_until: intent.expiresAt.toISOString(), condition: "exactly amount, paid before expires_at" }
        : null,
      uri: intent.uri,
      expires_at: intent.expiresAt.toISOString(),
    });
  });

  const listed = z.object({ data: z.array(depositWire) });
  routes.get("/credits/deposits", { ...management, schema: { ...managed, summary: "The account's deposits, newest first", querystring: listQuery, response: { 200: listed, ...keyedErrors } } }, async (request) => {
    const query = request.query;
    const accountId = callerKey(request).accountId;
    const wallets = (await listWallets(deps.db, accountId)).map((w) => w.address);
    const rows = await listDepositsForWallets(deps.db, accountId, wallets, query.limit);
    return { data: rows.map((row) => presentDeposit(row, wallet)) };
  });

  const unlinkSchema = {
    summary: "Unlink a wallet from the account",
    tags: ["wallets"],
    security: security.management,
    params: walletParams,
    response: { 200: z.object({ data: z.object({ chain: z.string(), address: z.string(), linked: z.literal(false) }) }), ...keyedErrors, ...errorResponses(404, 409) },
  };
  routes.delete("/auth/wallets/:address", { ...management, schema: unlinkSchema }, async (request) => {
    const params = request.params;
    const removed = await unlinkWallet(deps.db, callerKey(request).accountId, params.address);
    return { data: { chain: removed.family, address: removed.address, linked: false as const } };
  });

  const adminToken = deps.config.adminToken;
  if (!adminToken) return;
  const admin = { preHandler: requireAdmin(adminToken) };
  const adminOnly = { tags: ["admin"], security: security.admin };

  routes.get("/admin/deposits/unattributed", { ...admin, schema: { ...adminOnly, summary: "Deposits no account could be found for", querystring: listQuery, response: { 200: listed, ...keyedErrors } } }, async (request) => {
    const query = request.query;
    return { data: (await listUnattributed(deps.db, query.limit)).map((row) => presentDeposit(row, wallet)) };
  });

  const assignSchema = {
    ...adminOnly,
    summary: "Credit an unattributed deposit to an account",
    params: depositParams,
    body: assignBody,
    response: { 200: z.object({ data: z.object({ id: z.string(), account_id: z.string(), status: z.literal("credited") }) }), ...keyedErrors, ...errorResponses(404) },
  };
  routes.post("/admin/deposits/:id/assign", { ...admin, schema: assignSchema }, async (request) => {
    const params = request.params;
    const body = request.body;
    const outcome = await assignParkedDeposit(deps.db, params.id, body.account_id, deps.clock());
    if (outcome === "no_account") throw notFound(`account ${body.account_id} does not exist`);
    if (outcome === "not_unattributed") throw notFound(`deposit ${params.id} is not an unattributed deposit`);
    return { data: { id: params.id, account_id: body.account_id, status: "credited" as const } };
  });
}
