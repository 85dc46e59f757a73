/**
 * Unlinking a wallet from an account (a wallet sold, lost or linked by mistake): its deposits are no
 * longer attributed to the account from then on. The account's last wallet stays, since it is how the
 * account signs in.
 */
import { eq } from "drizzle-orm";
import { atomically } from "../db/atomic.js";
import type { Db } from "../db/client.js";
import { walletIdentities } from "../db/schema/index.js";
import { conflict, notFound } from "../domain/errors.js";

/** Removes `address` from the account's wallets; 404 when it is not one of them, 409 when it is the last. */
export async function unlinkWallet(db: Db, accountId: string, address: string): Promise<{ family: "evm" | "solana"; address: string }> {
  return atomically(db, async (tx) => {
    const wallets = await tx.select().from(walletIdentities).where(eq(walletIdentities.accountId, accountId)).for("update");
    const wallet = wallets.find((w) => w.address === address || (w.family === "evm" && w.address.toLowerCase() === address.toLowerCase()));
    if (!wallet) throw notFound(`wallet ${address} is not linked to this account`);
    if (wallets.length === 1) {
      throw conflict("the account's last wallet cannot be unlinked: it is how the account signs in; link another wallet first", { reason: "last_wallet" });
    }
    await tx.delete(walletIdentities).where(eq(walletIdentities.id, wallet.id));
    return { family: wallet.family, address: wallet.address };
  });
}
