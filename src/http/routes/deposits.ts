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
import { parseInput } from "../validation.js";
import type { RouteDeps } from "./deps.js";
import type { WalletRouteDeps } from "./wallet-deps.js";

const intentBody = z
  .object({ chain: z.union([storableText().max(100), z.number()]), asset: storableText().min(1).max(40), amount_usd: z.union([z.number(), z.string()]) })
  .strict();
const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) });
const assignBody = z.object({ account_id: storableText().min(1).max(100) }).strict();
const depositParams = z.object({ id: storableText().min(1).max(100) });
const walletParams = z.object({ address: storableText().min(1).max(100) });

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
  const management = { preHandler: requireKey(deps.keys, ["management"]) };

  app.get("/credits/deposit-addresses", async () => ({
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

  app.post("/credits/intents", management, async (request, reply) => {
    const body = parseInput(intentBody, request.body);
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

  app.get("/credits/deposits", management, async (request) => {
    const query = parseInput(listQuery, request.query, "query");
    const accountId = callerKey(request).accountId;
    const wallets = (await listWallets(deps.db, accountId)).map((w) => w.address);
    const rows = await listDepositsForWallets(deps.db, accountId, wallets, query.limit);
    return { data: rows.map((row) => presentDeposit(row, wallet)) };
  });

  app.delete("/auth/wallets/:address", management, async (request) => {
    const params = parseInput(walletParams, request.params, "path");
    const removed = await unlinkWallet(deps.db, callerKey(request).accountId, params.address);
    return { data: { chain: removed.family, address: removed.address, linked: false } };
  });

  const adminToken = deps.config.adminToken;
  if (!adminToken) return;
  const admin = { preHandler: requireAdmin(adminToken) };

  app.get("/admin/deposits/unattributed", admin, async (request) => {
    const query = parseInput(listQuery, request.query, "query");
    return { data: (await listUnattributed(deps.db, query.limit)).map((row) => presentDeposit(row, wallet)) };
  });

  app.post("/admin/deposits/:id/assign", admin, async (request) => {
    const params = parseInput(depositParams, request.params, "path");
    const body = parseInput(assignBody, request.body);
    const outcome = await assignParkedDeposit(deps.db, params.id, body.account_id, deps.clock());
    if (outcome === "no_account") throw notFound(`account ${body.account_id} does not exist`);
    if (outcome === "not_unattributed") throw notFound(`deposit ${params.id} is not an unattributed deposit`);
    return { data: { id: params.id, account_id: body.account_id, status: "credited" } };
  });
}
