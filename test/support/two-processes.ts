import { afterAll, beforeAll } from "vitest";
import { createDb, type Database } from "../../src/db/client.js";
import { createTestDatabase, type TestDatabase } from "./db.js";

/**
 * Two gateway processes = two independent connection pools on one fresh Postgres database.
 * Registers its own beforeAll/afterAll; read the pools inside tests.
 */
export function twoProcesses(): { readonly primary: TestDatabase; readonly second: Database } {
  const pools = {} as { primary: TestDatabase; second: Database };
  beforeAll(async () => {
    pools.primary = await createTestDatabase("postgres", { maxConnections: 10 });
    pools.second = await createDb({ databaseUrl: pools.primary.url, maxConnections: 10 });
  });
  afterAll(async () => {
    await pools.second?.close();
    await pools.primary?.close();
  });
  return pools;
}
