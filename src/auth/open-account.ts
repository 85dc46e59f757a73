import { atomically } from "../db/atomic.js";
import type { Db } from "../db/client.js";
import { createKey } from "../keys/index.js";
import { createAccount } from "../ledger/index.js";

/**
 * Opens an account with its first management key, in one transaction: an account is never left
 * without a key to reach it (the operator's POST /admin/accounts). Returns the key's secret,
 * shown this once.
 */
export async function openAccount(db: Db, options: { name?: string | undefined } = {}): Promise<{ accountId: string; secret: string }> {
  return atomically(db, async (tx) => {
    const accountId = await createAccount(tx, options.name === undefined ? {} : { name: options.name });
    const { secret } = await createKey(tx, { accountId, kind: "management", name: "Management key" });
    return { accountId, secret };
  });
}
