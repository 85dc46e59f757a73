/**
 * Attribution of a confirmed deposit: the sender is a linked wallet → that account; else a Solana Pay
 * reference or an open intent with that exact amount on that chain and asset → its account; else none
 * (the deposit is parked as unattributed for the admin to assign).
 */
import { and, desc, eq, gt, inArray, isNull, lte } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { depositIntents, walletIdentities } from "../db/schema/index.js";
import type { DepositObservation } from "../chains/observation.js";
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

/** Resolves who a deposit belongs to; undefined means park it as unattributed. */
export async function attributeDeposit(db: Db, observation: DepositObservation, seenAt: Date): Promise<Attribution | undefined> {
  const linked = await accountOfWallet(db, familyOfChain(observation.chain), observation.from);
  if (linked) return { accountId: linked, attribution: "wallet" };
  const intent = await intentForAmount(db, observation, seenAt);
  if (intent) return { accountId: intent.accountId, attribution: "intent", intentId: intent.id };
  return undefined;
}
