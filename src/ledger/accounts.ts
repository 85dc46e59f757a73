import { desc, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { accounts, ledgerEntries } from "../db/schema/index.js";
import { newId } from "../domain/ids.js";
import type { Nano } from "../domain/money.js";

export interface AccountBalance {
  balanceNano: Nano;
  heldNano: Nano;
  /** Balance less what open holds reserve: what a new request may spend. */
  availableNano: Nano;
}

export interface AccountTotals {
  /** Everything credited: deposits, refunds and adjustments. */
  creditsNano: Nano;
  /** Everything spent: usage and fees, as a positive amount. */
  usageNano: Nano;
}

/** Opens an empty account and returns its id. */
export async function createAccount(db: Db, options: { name?: string } = {}): Promise<string> {
  const id = newId("acct");
  await db.insert(accounts).values({ id, name: options.name ?? null });
  return id;
}

/** The cached balance and holds of one account; null when it does not exist. */
export async function getBalance(db: Db, accountId: string): Promise<AccountBalance | null> {
  const [row] = await db
    .select({ balanceNano: accounts.balanceNano, heldNano: accounts.heldNano })
    .from(accounts)
    .where(eq(accounts.id, accountId));
  return row ? { ...row, availableNano: row.balanceNano - row.heldNano } : null;
}

/** Credits and usage of an account, summed from its entries (OpenRouter's /credits shape). */
export async function getTotals(db: Db, accountId: string): Promise<AccountTotals> {
  const [row] = await db
    .select({
      credits: sql<string>`coalesce(sum(${ledgerEntries.amountNano}) filter (where ${ledgerEntries.kind} in ('deposit', 'refund', 'adjustment')), 0)`,
      usage: sql<string>`coalesce(-sum(${ledgerEntries.amountNano}) filter (where ${ledgerEntries.kind} in ('usage', 'fee')), 0)`,
    })
    .from(ledgerEntries)
    .where(eq(ledgerEntries.accountId, accountId));
  return { creditsNano: BigInt(row?.credits ?? 0), usageNano: BigInt(row?.usage ?? 0) };
}

export interface AccountSummary extends AccountBalance {
  id: string;
  name: string | null;
  createdAt: Date;
}

/** Accounts, newest first, for the admin API. */
export async function listAccounts(db: Db, options: { limit: number; offset: number }): Promise<AccountSummary[]> {
  const rows = await db.select().from(accounts).orderBy(desc(accounts.createdAt)).limit(options.limit).offset(options.offset);
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    createdAt: row.createdAt,
    balanceNano: row.balanceNano,
    heldNano: row.heldNano,
    availableNano: row.balanceNano - row.heldNano,
  }));
}
