import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openAccount } from "../../src/auth/open-account.js";
import { queryRows } from "../../src/db/client.js";
import { KeyResolver } from "../../src/keys/index.js";
import { createTestDatabase, dbKinds, type TestDatabase } from "../support/db.js";

describe.each(dbKinds)("opening an account on %s", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => database.close());

  it("creates the account and its management key together; the key reaches the account", async () => {
    const { accountId, secret } = await openAccount(database.db, { name: "Operator-made" });
    const resolved = await new KeyResolver(database.db).resolve(secret);
    expect(resolved.ok && resolved.key).toMatchObject({ accountId, kind: "management" });
    const [row] = await queryRows<{ name: string }>(database.db, sql`select name from accounts where id = ${accountId}`);
    expect(row?.name).toBe("Operator-made");
  });
});
