/**
 * Deposit intents: "I will send exactly X of asset A on chain C". The exact amount is far from every
 * amount still taken on that chain and asset (see taken-amounts.ts; open amounts are also unique by a
 * partial index), so the listener can attribute a transfer from any sender by amount alone.
 */
import { and, eq, lt } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { depositIntents } from "../db/schema/index.js";
import { badRequest, serviceUnavailable } from "../domain/errors.js";
import { newId } from "../domain/ids.js";
import { MoneyParseError, NANO_PER_USD, numberToPlainDecimal, parseDecimalScaled } from "../domain/money.js";
import { atomically } from "../db/atomic.js";
import { findDepositChain, type DepositChain } from "./deposit-chain.js";
import { intentOffsetStep, nanoToBaseUnits, uniqueIntentAmount } from "./intent-amount.js";
import { lockIntentAmounts, takenIntentAmounts } from "./taken-amounts.js";

/** A created intent, as the API returns it. */
export interface CreatedIntent {
  id: string;
  chain: string;
  address: string;
  asset: string;
  amountBaseUnits: bigint;
  decimals: number;
  amountUsdNano: bigint;
  uri: string;
  expiresAt: Date;
  /** True for a priced asset: paid exactly and in time, it is credited at `amountUsdNano`. */
  priced: boolean;
}

const MAX_INTENT_USD_NANO = 1_000_000n * NANO_PER_USD;

/** Parses `amount_usd` (decimal string or JSON number) into a positive nano-USD amount or throws a 400. */
export function parseIntentUsd(raw: unknown): bigint {
  let nano: bigint;
  try {
    if (typeof raw === "number") nano = parseDecimalScaled(numberToPlainDecimal(raw), 9);
    else if (typeof raw === "string") nano = parseDecimalScaled(raw, 9);
    else throw new MoneyParseError("missing");
  } catch {
    throw badRequest("amount_usd must be a positive USD amount such as \"10\" or 10.5", { field: "amount_usd" });
  }
  if (nano <= 0n) throw badRequest("amount_usd must be greater than zero", { field: "amount_usd" });
  if (nano > MAX_INTENT_USD_NANO) throw badRequest("amount_usd is larger than one intent accepts", { field: "amount_usd" });
  return nano;
}

/** Creates an intent for `accountId`; every input problem is a 400 and nothing is stored. */
export async function createIntent(
  db: Db,
  chains: readonly DepositChain[],
  accountId: string,
  request: { chain: unknown; asset: unknown; amount_usd: unknown },
  now: Date,
  ttlMs: number,
): Promise<CreatedIntent> {
  const chain = findDepositChain(chains, request.chain);
  if (!chain) {
    const sameFamily = chains.filter((c) => c.family === request.chain);
    if (sameFamily.length > 1) {
      throw badRequest(`chain ${JSON.stringify(request.chain)} is ambiguous here: use one of ${sameFamily.map((c) => c.chain).join(", ")}`, { field: "chain" });
    }
    throw badRequest(`unknown chain ${JSON.stringify(request.chain ?? null)}; see GET /api/v1/credits/deposit-addresses`, { field: "chain" });
  }
  const asset = typeof request.asset === "string" ? chain.assets.find((a) => a.symbol.toLowerCase() === (request.asset as string).toLowerCase()) : undefined;
  if (!asset) {
    throw badRequest(`asset ${JSON.stringify(request.asset ?? null)} is not accepted on ${chain.name}; use one of ${chain.assets.map((a) => a.symbol).join(", ")}`, {
      field: "asset",
    });
  }
  const amountUsdNano = parseIntentUsd(request.amount_usd);
  const quote = await chain.quote(asset);
  if (quote.kind === "not_ready") throw serviceUnavailable(`cannot price ${asset.symbol} right now (${quote.reason}); try again shortly`);
  const base = nanoToBaseUnits(amountUsdNano, asset.decimals, quote.price);
  if (base <= 0n) throw badRequest("amount_usd is too small to pay in this asset", { field: "amount_usd" });
  const expiresAt = new Date(now.getTime() + ttlMs);
  const id = newId("int");
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const created = await atomically<bigint | undefined>(db, async (tx) => {
      await lockIntentAmounts(tx, chain.chain, asset.symbol);
      await tx
        .update(depositIntents)
        .set({ status: "expired" })
        .where(and(eq(depositIntents.chain, chain.chain), eq(depositIntents.status, "open"), lt(depositIntents.expiresAt, now)));
      const taken = await takenIntentAmounts(tx, chain.chain, asset.symbol, now, chain.intentReissueCooldownMs);
      const amount = uniqueIntentAmount(base, taken, { step: intentOffsetStep(asset.decimals) });
      if (amount === undefined) return undefined;
      const inserted = await tx
        .insert(depositIntents)
        .values({ id, accountId, chain: chain.chain, asset: asset.symbol, amountBaseUnits: amount, amountUsdNano, expiresAt, createdAt: now })
        .onConflictDoNothing()
        .returning({ amount: depositIntents.amountBaseUnits });
      return inserted[0]?.amount;
    });
    if (created !== undefined) {
      return {
        id,
        chain: chain.chain,
        address: chain.treasury,
        asset: asset.symbol,
        amountBaseUnits: created,
        decimals: asset.decimals,
        amountUsdNano,
        uri: chain.paymentUri(asset, created, id),
        expiresAt,
        priced: quote.price !== undefined,
      };
    }
  }
  throw serviceUnavailable("too many open intents for this amount; try a slightly different amount");
}
