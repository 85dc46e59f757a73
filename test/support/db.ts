import { readFileSync } from "node:fs";
import postgres from "postgres";
import { inject } from "vitest";
import { createDb, type Database } from "../../src/db/client.js";
import { randomAlphanumeric } from "../../src/domain/ids.js";

export type DbKind = "pglite" | "postgres";

/** Every backend this run tests: PGlite always, real Postgres when TEST_DATABASE_URL is set. */
export const dbKinds: DbKind[] = process.env.TEST_DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];

export interface TestDatabase extends Database {
  kind: DbKind;
  /** For Postgres: the URL of this test's own database (to open more pools on it). */
  url: string | undefined;
}

/**
 * A fresh, migrated database of the given kind: an in-memory PGlite, or a new Postgres database
 * created for this test file and dropped on close, so test files never see each other's rows.
 */
export async function createTestDatabase(kind: DbKind, options: { maxConnections?: number } = {}): Promise<TestDatabase> {
  if (kind === "pglite") {
    const pgliteDump = new Blob([readFileSync(inject("pgliteTemplatePath"))]);
    const database = await createDb({ dataDir: "memory", pgliteDump });
    await database.migrate();
    return { ...database, kind, url: undefined };
  }
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error("TEST_DATABASE_URL is not set");
  const name = `farebox_test_${randomAlphanumeric(10).toLowerCase()}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = withDatabase(adminUrl, name);
  const database = await createDb({ databaseUrl: url, maxConnections: options.maxConnections ?? 10 });
  await database.migrate();
  return {
    ...database,
    kind,
    url,
    async close() {
      await database.close();
      const dropper = postgres(adminUrl, { max: 1, onnotice: () => undefined });
      await dropper.unsafe(`drop database if exists ${name} with (force)`);
      await dropper.end();
    },
  };
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}
