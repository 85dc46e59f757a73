/** The generation log in the database (table `generations`). */
import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { generations } from "../db/schema/generations.js";
import type { GenerationStore } from "./ports.js";

/** A GenerationStore over drizzle: one indexed SELECT per lookup (records are written with their settlements). */
export function createGenerationStore(db: Db): GenerationStore {
  return {
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
