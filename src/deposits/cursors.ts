/** Persisted listener positions, one per chain; moved only inside the transaction that credits. */
import { eq, sql } from "drizzle-orm";
import { queryRows, type Db } from "../db/client.js";
import { chainCursors } from "../db/schema/index.js";
import type { BlockCursor } from "../chains/observation.js";

/** The stored cursor of a chain, if the listener has run before. */
export async function getCursor(db: Db, chain: string): Promise<BlockCursor | undefined> {
  const [row] = await db.select().from(chainCursors).where(eq(chainCursors.chain, chain));
  return row ? { block: row.blockOrSlot, hash: row.hashOrSignature } : undefined;
}

/** Stores the cursor (insert or move). */
export async function setCursor(db: Db, chain: string, cursor: BlockCursor, now: Date): Promise<void> {
  await db
    .insert(chainCursors)
    .values({ chain, blockOrSlot: cursor.block, hashOrSignature: cursor.hash, updatedAt: now })
    .onConflictDoUpdate({ target: chainCursors.chain, set: { blockOrSlot: cursor.block, hashOrSignature: cursor.hash, updatedAt: now } });
}

/**
 * Takes the per-chain listener lock for the current transaction (released at commit or rollback).
 * False means another process is working on this chain right now. Works on Postgres and PGlite.
 */
export async function tryChainLock(tx: Db, chain: string): Promise<boolean> {
  const rows = await queryRows<{ locked: boolean }>(tx, sql`select pg_try_advisory_xact_lock(hashtext(${`farebox:listener:${chain}`})) as locked`);
  return rows[0]?.locked === true;
}
