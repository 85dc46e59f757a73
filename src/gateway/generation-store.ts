/** The generation log in the database (table `generations`). */
import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { generations } from "../db/schema/generations.js";
import type { GenerationStore } from "./ports.js";

/** A GenerationStore over drizzle: one INSERT per request, one indexed SELECT per lookup. */
export function createGenerationStore(db: Db): GenerationStore {
  return {
    async save(record) {
      await db.insert(generations).values(record).onConflictDoNothing();
    },
    async find(id, accountId) {
      const [row] = await db
        .select()
        .from(generations)
        .where(and(eq(generations.id, id), eq(generations.accountId, accountId)))
        .limit(1);
      return row;
    },
  };
}
