/** The generation log in the database (table `generations`). */
import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { generations } from "../db/schema/generations.js";
import type { Billing, GenerationStore } from "./ports.js";

/**
 * A GenerationStore over drizzle: one indexed SELECT per lookup (records are written with their
 * settlements). A request that just finished is found before its batch is written, so a client
 * asking right after the answer gets its record, not a 404 to retry on.
 */
export function createGenerationStore(db: Db, billing: Pick<Billing, "unwritten">): GenerationStore {
  return {
    async find(id, accountId) {
      const unwritten = billing.unwritten(id);
      if (unwritten) return unwritten.accountId === accountId ? unwritten : undefined;
      const [row] = await db
        .select()
        .from(generations)
        .where(and(eq(generations.id, id), eq(generations.accountId, accountId)))
        .limit(1);
      return row;
    },
  };
}
