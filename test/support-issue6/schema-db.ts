import { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import { generateDrizzleJson, generateMigration } from "drizzle-kit/api";

/**
 * An in-memory PGlite with the given drizzle tables created from their definitions (the same
 * SQL drizzle-kit would generate). Used by the BYOK and analytics tests until they move onto
 * the shared database harness.
 */
export async function schemaDb(tables: Record<string, unknown>) {
  const client = new PGlite();
  const statements = await generateMigration(generateDrizzleJson({}), generateDrizzleJson(tables));
  for (const statement of statements) await client.exec(statement);
  const db = drizzle(client);
  return { db, client, close: () => client.close() };
}
