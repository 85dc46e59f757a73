/**
 * Valuing confirmed deposits per asset, in order per asset: a deposit whose asset cannot be priced now
 * (stale feed) waits, and so does every later deposit of that asset, but other assets are credited
 * (a USDC deposit never waits on ETH's feed). Waiting deposits stay `seen` below the cursor and are
 * credited, oldest first, as soon as their asset's price is usable.
 */
import { and, asc, eq, lte } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { deposits } from "../db/schema/index.js";
import type { DepositObservation } from "../chains/observation.js";
import type { ValuedObservation } from "./credit.js";
import { rowObservation } from "./observation-columns.js";
import type { AssetValuer } from "./types.js";

/** Observations split into those valued now and those whose asset waits for a price. */
export interface AssetOrderedValues {
  valued: ValuedObservation[];
  waiting: DepositObservation[];
  /** Why the first waiting asset waits. */
  reason?: string;
}

/** Values `observations` in order; an asset in `blocked` (or whose price is not ready) waits from then on. */
export async function valuePerAsset(valuer: AssetValuer, observations: DepositObservation[], blocked: ReadonlySet<string> = new Set()): Promise<AssetOrderedValues> {
  const waitingAssets = new Set(blocked);
  const out: AssetOrderedValues = { valued: [], waiting: [] };
  for (const observation of observations) {
    if (waitingAssets.has(observation.asset)) {
      out.waiting.push(observation);
      continue;
    }
    const value = await valuer(observation.asset, observation.amountBaseUnits);
    if (value.kind === "not_ready") {
      waitingAssets.add(observation.asset);
      out.waiting.push(observation);
      out.reason ??= value.reason;
      continue;
    }
    out.valued.push({ observation, valueNano: value.valueNano, rate: value.rate });
  }
  return out;
}

/** Deposits of a chain that are deep enough (at or below the cursor) but still wait for their asset's price, oldest first. */
export async function waitingForPrice(db: Db, chain: string, cursorBlock: bigint): Promise<DepositObservation[]> {
  const rows = await db
    .select()
    .from(deposits)
    .where(and(eq(deposits.chain, chain), eq(deposits.status, "seen"), lte(deposits.blockOrSlot, cursorBlock)))
    .orderBy(asc(deposits.blockOrSlot), asc(deposits.logIndex));
  return rows.map(rowObservation);
}
