/**
 * Which exact amounts a new intent must keep away from on one chain and asset: every intent whose
 * window, plus a cool-down, has not ended (a payment made in time may still be confirming or waiting
 * on a listener outage, and must never point to a later holder of its amount), and every amount already
 * paid on chain that no account has been matched to (an intent opened for it would claim a payment its
 * owner made before the intent existed).
 */
import { and, eq, gt, inArray, isNull, sql } from "drizzle-orm";
import { queryRows, type Db } from "../db/client.js";
import { depositIntents, deposits } from "../db/schema/index.js";

/**
 * Amounts (base units) on `chain`/`asset` that a new intent must not be close to at `now`; an expired
 * intent's amount stays taken for `cooldownMs` past its expiry (the chain's, see reissue-cooldown.ts).
 */
export async function takenIntentAmounts(db: Db, chain: string, asset: string, now: Date, cooldownMs: number): Promise<Set<bigint>> {
  const intents = await db
    .select({ amount: depositIntents.amountBaseUnits })
    .from(depositIntents)
    .where(and(eq(depositIntents.chain, chain), eq(depositIntents.asset, asset), gt(depositIntents.expiresAt, new Date(now.getTime() - cooldownMs))));
  const unmatched = await db
    .select({ amount: deposits.amountBaseUnits })
    .from(deposits)
    .where(and(eq(deposits.chain, chain), eq(deposits.asset, asset), inArray(deposits.status, ["seen", "unattributed"]), isNull(deposits.accountId)));
  return new Set([...intents, ...unmatched].map((row) => row.amount));
}

/** Serializes intent creation on one chain and asset for the current transaction, so two never pick one amount. */
export async function lockIntentAmounts(tx: Db, chain: string, asset: string): Promise<void> {
  await queryRows(tx, sql`select pg_advisory_xact_lock(hashtext(${`farebox:intents:${chain}:${asset}`}))::text as locked`);
}
