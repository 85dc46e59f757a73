import { sql } from "drizzle-orm";
import { atomically } from "../db/atomic.js";
import { queryRows, type Db } from "../db/client.js";
import { assignDeposit } from "./credit.js";

/** What became of an operator's assignment, as a value. */
export type AdminAssignment = "credited" | "no_account" | "not_unattributed";

/**
 * The operator credits a parked (unattributed) deposit to an account, in one transaction. The
 * account is only read (accounts are never deleted): locking it before the deposit row would
 * invert the deposit-then-account order the wallet claim of a parked deposit takes.
 */
export async function assignParkedDeposit(db: Db, depositId: string, accountId: string, now: Date): Promise<AdminAssignment> {
  return atomically(db, async (tx) => {
    const [account] = await queryRows<{ id: string }>(tx, sql`select id from accounts where id = ${accountId}`);
    if (!account) return "no_account";
    return (await assignDeposit(tx, depositId, accountId, now)) ? "credited" : "not_unattributed";
  });
}
