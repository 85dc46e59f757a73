/**
 * The account a paying wallet's requests run under (x402): the account the wallet is linked to, or a
 * new one linked to it exactly as a first wallet sign-in would link it, so the same wallet can later
 * sign in (SIWE/SIWS) and find its remaining balance. Paid requests are made with the account's
 * "x402 payments" inference key (created with the account, its secret never shown), so they show in
 * usage and activity like any key's.
 */
import { and, eq, isNull } from "drizzle-orm";
import { atomically } from "../db/atomic.js";
import type { Db } from "../db/client.js";
import { apiKeys, walletIdentities } from "../db/schema/index.js";
import { newId } from "../domain/ids.js";
import { createKey } from "../keys/index.js";
import { createAccount } from "../ledger/index.js";

/** Name of the key paid requests are made with. */
export const PAYMENT_KEY_NAME = "x402 payments";

class LostRace extends Error {}

/** The wallet's account and payment key, creating (and linking) them on its first payment. */
export async function payerAccount(db: Db, family: "evm" | "solana", address: string, now: Date): Promise<{ accountId: string; keyId: string }> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await atomically(db, async (tx) => {
        // the identity row serializes payers of one wallet: one account, one payment key
        let [identity] = await tx
          .select({ accountId: walletIdentities.accountId })
          .from(walletIdentities)
          .where(and(eq(walletIdentities.family, family), eq(walletIdentities.address, address)))
          .for("update");
        if (!identity) {
          const accountId = await createAccount(tx);
          const inserted = await tx.insert(walletIdentities).values({ id: newId("wal"), accountId, family, address, createdAt: now }).onConflictDoNothing().returning({ accountId: walletIdentities.accountId });
          // another first payment (or sign-in) of this wallet won: start over and use its account
          if (inserted.length === 0) throw new LostRace();
          identity = { accountId };
        }
        const accountId = identity.accountId;
        const [key] = await tx
          .select({ id: apiKeys.id })
          .from(apiKeys)
          .where(and(eq(apiKeys.accountId, accountId), eq(apiKeys.kind, "inference"), eq(apiKeys.name, PAYMENT_KEY_NAME), isNull(apiKeys.deletedAt)));
        const keyId = key?.id ?? (await createKey(tx, { accountId, kind: "inference", name: PAYMENT_KEY_NAME })).key.id;
        return { accountId, keyId };
      });
    } catch (error) {
      if (!(error instanceof LostRace) || attempt >= 2) throw error;
    }
  }
}
