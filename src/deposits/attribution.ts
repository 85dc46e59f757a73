/**
 * Attribution of a confirmed deposit: the sender is a linked wallet → that account; else a Solana Pay
 * reference or an open intent with that exact amount on that chain and asset → its account; else none
 * (the deposit is parked as unattributed for the admin to assign).
 */
import { and, desc, eq, gt, inArray, isNull, lte, sql } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { depositIntents, walletIdentities } from "../db/schema/index.js";
import type { DepositObservation } from "../chains/observation.js";
import { referenceForIntent } from "../chains/solana/pay-url.js";
import { familyOfChain, type Attribution } from "./types.js";

/** The account a wallet address is linked to, if any. */
export async function accountOfWallet(db: Db, family: "evm" | "solana", address: string): Promise<string | undefined> {
  const [row] = await db
    .select({ accountId: walletIdentities.accountId })
    .from(walletIdentities)
    .where(and(eq(walletIdentities.family, family), eq(walletIdentities.address, address)));
  return row?.accountId;
}

/**
 * An unmatched intent for exactly this amount whose window contains `seenAt` (the time the transfer was
 * first observed), newest first. Intents are unique by amount while open, so at most one fits.
 */
export async function intentForAmount(
  db: Db,
  observation: Pick<DepositObservation, "chain" | "asset" | "amountBaseUnits">,
  seenAt: Date,
): Promise<{ id: string; accountId: string } | undefined> {
  const [row] = await db
    .select({ id: depositIntents.id, accountId: depositIntents.accountId })
    .from(depositIntents)
    .where(
      and(
        eq(depositIntents.chain, observation.chain),
        eq(depositIntents.asset, observation.asset),
        eq(depositIntents.amountBaseUnits, observation.amountBaseUnits),
        inArray(depositIntents.status, ["open", "expired"]),
        isNull(depositIntents.depositId),
        lte(depositIntents.createdAt, seenAt),
        gt(depositIntents.expiresAt, seenAt),
      ),
    )
    .orderBy(desc(depositIntents.createdAt))
    .limit(1);
  return row;
}

/** How long after its expiry an intent's Solana Pay reference still identifies a late payment. */
export const REFERENCE_GRACE_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Intents on `chain` whose Solana Pay reference still identifies a payment: expired less than
 * {@link REFERENCE_GRACE_MS} before `at`, matched or not (a wallet may pay the same request twice;
 * the reference still names the account). Unmatched first, then newest. The reference is derived
 * from the id.
 */
export async function referenceableIntents(db: Db, chain: string, at: Date): Promise<{ id: string; accountId: string; reference: string }[]> {
  const rows = await db
    .select({ id: depositIntents.id, accountId: depositIntents.accountId })
    .from(depositIntents)
    .where(
      and(eq(depositIntents.chain, chain), gt(depositIntents.expiresAt, new Date(at.getTime() - REFERENCE_GRACE_MS))),
    )
    .orderBy(desc(sql`${depositIntents.depositId} is null`), desc(depositIntents.createdAt));
  return rows.map((row) => ({ ...row, reference: referenceForIntent(row.id) }));
}

/**
 * Resolves who a deposit belongs to; undefined means park it as unattributed. Order: a sender that is
 * a linked wallet (any of them, `from` first), then the Solana Pay reference, then an exact-amount intent.
 */
export async function attributeDeposit(db: Db, observation: DepositObservation, seenAt: Date): Promise<Attribution | undefined> {
  const family = familyOfChain(observation.chain);
  for (const sender of new Set([observation.from, ...(observation.senders ?? [])])) {
    if (sender === "") continue;
    const linked = await accountOfWallet(db, family, sender);
    if (linked) return { accountId: linked, attribution: "wallet" };
  }
  if (family === "solana" && observation.memoOrReference) {
    const intents = await referenceableIntents(db, observation.chain, seenAt);
    const intent = intents.find((candidate) => candidate.reference === observation.memoOrReference);
    if (intent) return { accountId: intent.accountId, attribution: "reference", intentId: intent.id };
  }
  const intent = await intentForAmount(db, observation, seenAt);
  if (intent) return { accountId: intent.accountId, attribution: "intent", intentId: intent.id };
  return undefined;
}

/**
 * An unmatched intent for exactly this amount that had already expired when the transfer was seen:
 * the deposit is parked (an expired amount may have been reissued) but the admin sees which intent it was.
 */
export async function expiredIntentForAmount(
  db: Db,
  observation: Pick<DepositObservation, "chain" | "asset" | "amountBaseUnits">,
  seenAt: Date,
): Promise<string | undefined> {
  const [row] = await db
    .select({ id: depositIntents.id })
    .from(depositIntents)
    .where(
      and(
        eq(depositIntents.chain, observation.chain),
        eq(depositIntents.asset, observation.asset),
        eq(depositIntents.amountBaseUnits, observation.amountBaseUnits),
        isNull(depositIntents.depositId),
        lte(depositIntents.expiresAt, seenAt),
      ),
    )
    .orderBy(desc(depositIntents.expiresAt))
    .limit(1);
  return row?.id;
}
