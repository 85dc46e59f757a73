import { and, eq, inArray, sql } from "drizzle-orm";
import { atomically } from "../db/atomic.js";
import { queryRows, type Db } from "../db/client.js";
import { ledgerEntries } from "../db/schema/index.js";
import { newId } from "../domain/ids.js";
import type { Nano } from "../domain/money.js";
import { postEntry } from "./entries.js";

/** The largest balance a Postgres bigint of nano-USD holds. */
const MAX_BALANCE_NANO: Nano = 2n ** 63n - 1n;

/** An operator's credit (or correction) to one account. */
export interface AdminCredit {
  accountId: string;
  amountNano: Nano;
  reason: string;
  /** The operator's key for safe retries, scoped to the account; absent → every call credits. */
  idempotencyKey?: string | undefined;
}

/**
 * What became of a credit, as a value (DESIGN.md §3):
 * - `posted`: a new adjustment entry; `duplicate`: the same key with the same amount and reason
 *   was already credited to this account (nothing new is written);
 * - `conflict`: the key was already used on this account with a different amount or reason
 *   (as TigerBeetle's `exists_with_different_amount`); nothing is written;
 * - `no_account`; `overflow`: the balance would leave the range the ledger stores;
 * - `not_positive`: a credit must add money (corrections of a credit are their own entries).
 */
export type AdminCreditResult =
  | { status: "not_positive" }
  | { status: "posted" | "duplicate"; entryId: bigint; balanceNano: Nano }
  | { status: "conflict"; entryId: bigint; amountNano: Nano; reason: string }
  | { status: "no_account" }
  | { status: "overflow"; balanceNano: Nano };

/**
 * Posts an operator credit once per (account, idempotency key). The ledger's idempotency key
 * is derived from both, so one account's key never answers for another's, and the request's
 * data is kept in the entry's metadata so a reuse with different data is told apart from a
 * retry. The account row is locked for the check-then-write, so concurrent retries agree.
 */
export async function postAdminCredit(db: Db, credit: AdminCredit): Promise<AdminCreditResult> {
  if (credit.amountNano <= 0n) return { status: "not_positive" };
  return atomically(db, async (tx) => {
    const [account] = await queryRows<{ balance_nano: string | bigint }>(
      tx,
      sql`select balance_nano from accounts where id = ${credit.accountId} for update`,
    );
    if (!account) return { status: "no_account" };
    const balanceNano = BigInt(account.balance_nano);
    const idempotencyKey = adminCreditKey(credit.accountId, credit.idempotencyKey ?? newId("adj"));
    // credits posted before keys were scoped carry `admin:<key>`: on this account they still count
    const keys = credit.idempotencyKey === undefined ? [idempotencyKey] : [idempotencyKey, `admin:${credit.idempotencyKey}`];
    const [existing] = await tx
      .select({ id: ledgerEntries.id, amountNano: ledgerEntries.amountNano, metadata: ledgerEntries.metadata })
      .from(ledgerEntries)
      .where(and(inArray(ledgerEntries.idempotencyKey, keys), eq(ledgerEntries.accountId, credit.accountId)))
      .orderBy(ledgerEntries.id)
      .limit(1);
    if (existing) {
      const reason = String((existing.metadata as { reason?: unknown } | null)?.reason ?? "");
      if (existing.amountNano === credit.amountNano && reason === credit.reason) {
        return { status: "duplicate", entryId: existing.id, balanceNano };
      }
      return { status: "conflict", entryId: existing.id, amountNano: existing.amountNano, reason };
    }
    const after = balanceNano + credit.amountNano;
    if (after > MAX_BALANCE_NANO || after < -MAX_BALANCE_NANO) return { status: "overflow", balanceNano };
    const posted = await postEntry(tx, {
      accountId: credit.accountId,
      kind: "adjustment",
      amountNano: credit.amountNano,
      idempotencyKey,
      metadata: { reason: credit.reason, ...(credit.idempotencyKey === undefined ? {} : { idempotency_key: credit.idempotencyKey }) },
    });
    // the account row is locked and the key is the account's own, so no one else can have posted it meanwhile
    return posted.status === "posted" ? { status: "posted", entryId: posted.entryId, balanceNano: after } : { status: "duplicate", entryId: posted.entryId, balanceNano };
  });
}

/**
 * The ledger key of an operator credit: the account id (generated, `acct_` and alphanumerics,
 * never a colon) then the operator's key, so two accounts' keys can never collide.
 */
function adminCreditKey(accountId: string, clientKey: string): string {
  return `admin:${accountId}:${clientKey}`;
}
