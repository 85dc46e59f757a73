/**
 * A deposit parked because its sender was no linked wallet belongs to that wallet's account once the
 * wallet is linked (the sign-in signature proves who controls it). The listener credits such deposits
 * on its next pass, so a payment sent before linking does not wait for the admin.
 */
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { deposits, walletIdentities } from "../db/schema/index.js";
import { assignDeposit } from "./credit.js";
import { familyOfChain } from "./types.js";

/** Credits the chain's parked deposits whose sender is now a linked wallet; returns how many. Call inside a transaction. */
export async function creditParkedFromLinkedWallets(db: Db, chain: string, now: Date): Promise<number> {
  const claimable = await db
    .select({ id: deposits.id, accountId: walletIdentities.accountId })
    .from(deposits)
    .innerJoin(walletIdentities, and(eq(walletIdentities.family, familyOfChain(chain)), sql`${walletIdentities.address} = ${deposits.fromAddress}`))
    .where(and(eq(deposits.chain, chain), inArray(deposits.status, ["unattributed"])));
  let credited = 0;
  for (const row of claimable) {
    if (await assignDeposit(db, row.id, row.accountId, now, "wallet")) credited += 1;
  }
  return credited;
}
