import type { SQL } from "drizzle-orm";
import type { AnyPgDatabase } from "../db/client.js";

/**
 * Runs a raw aggregate query and returns its rows, whichever driver is behind drizzle
 * (postgres.js returns an array, PGlite an object with `rows`). Aggregates are cast to text
 * in SQL so both drivers hand back exact strings.
 */
export async function selectRows<T extends Record<string, unknown>>(db: AnyPgDatabase, query: SQL): Promise<T[]> {
  const result: unknown = await db.execute(query);
  if (Array.isArray(result)) return result as T[];
  return (result as { rows: T[] }).rows;
}
