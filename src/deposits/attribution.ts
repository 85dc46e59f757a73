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

/** Who an exact amount points to: one intent, several (ambiguous: park it, never guess), or none. */
export type IntentMatch = { kind: "intent"; id: string; accountId: string } | { kind: "ambiguous"; intentIds: string[] } | { kind: "none" };

/**
 * The unmatched intents for exactly this amount whose window contains `paidAt`, the payment's block
 * time (not when farebox happened to see it: a listener outage must not move a payment out of its
 * window or into a later holder's). Exactly one is a match; more than one is ambiguous.
 */
export async function intentForAmount(
  db: Db,
  observation: Pick<DepositObservation, "chain" | "asset" | "amountBaseUnits">,
  paidAt: Date,
): Promise<IntentMatch> {
  const rows = await db
    .select({ id: depositIntents.id, accountId: depositIntents.accountId })
    .from(depositIntents)
    .where(
      and(
        eq(depositIntents.chain, observation.chain),
        eq(depositIntents.asset, observation.asset),
        eq(depositIntents.amountBaseUnits, observation.amountBaseUnits),
        inArray(depositIntents.status, ["open", "expired"]),
        isNull(depositIntents.depositId),
        // Block times have whole seconds: a payment in the second the intent was created is inside it.
        lte(depositIntents.createdAt, new Date(paidAt.getTime() + 999)),
        gt(depositIntents.expiresAt, paidAt),
      ),
    )
    .limit(2);
  const [first] = rows;
  if (!first) return { kind: "none" };
  if (rows.length > 1) return { kind: "ambiguous", intentIds: rows.map((r) => r.id) };
  return { kind: "intent", id: first.id, accountId: first.accountId };
}

/** When a deposit was paid, by the chain's clock; the time farebox first saw it when the chain gave none. */
export function paidAt(observation: Pick<DepositObservation, "blockTime">, seenAt: Date): Date {
  return observation.blockTime ?? seenAt;
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
 * Resolves who a deposit belongs to; undefined means park it as unattributed. Order: the Solana Pay
 * reference (it names the payment request, whoever signed or paid the fee), then a sender that is a
 * linked wallet (the sender is the wallet whose balance moved by the amount, never a fee payer), then an
 * exact-amount intent.
 */
export async function attributeDeposit(db: Db, observation: DepositObservation, seenAt: Date): Promise<Attribution | undefined> {
  const family = familyOfChain(observation.chain);
  if (family === "solana" && observation.memoOrReference) {
    const intents = await referenceableIntents(db, observation.chain, seenAt);
    const intent = intents.find((candidate) => candidate.reference === observation.memoOrReference);
    if (intent) return { accountId: intent.accountId, attribution: "reference", intentId: intent.id };
  }
  for (const sender of new Set([observation.from, ...(observation.senders ?? [])])) {
    if (sender === "") continue;
    const linked = await accountOfWallet(db, family, sender);
    if (linked) return { accountId: linked, attribution: "wallet" };
  }
  const intent = await intentForAmount(db, observation, paidAt(observation, seenAt));
  if (intent.kind === "intent") return { accountId: intent.accountId, attribution: "intent", intentId: intent.id };
  return undefined;
}

/**
 * An unmatched intent for exactly this amount that had already expired when the transfer was paid:
 * the deposit is parked but the admin sees which intent it was.
 */
export async function expiredIntentForAmount(
  db: Db,
  observation: Pick<DepositObservation, "chain" | "asset" | "amountBaseUnits">,
  paidAtTime: Date,
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
        lte(depositIntents.expiresAt, paidAtTime),
      ),
    )
    .orderBy(desc(depositIntents.expiresAt))
    .limit(1);
  return row?.id;
}
