import { readFileSync } from "node:fs";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { atomically } from "../../src/db/atomic.js";
import { queryRows, type Db } from "../../src/db/client.js";
import { createTestDatabase, dbKinds, type TestDatabase } from "../support/db.js";

const ledgerSql = readFileSync(new URL("../../src/ledger/sql/ledger-functions.sql", import.meta.url), "utf8");
const statements = ledgerSql.split("--> statement-breakpoint");

interface Definition {
  name: string;
  definition: string;
}

/** Every function and user trigger in the public schema, as Postgres prints it back. */
async function definitions(db: Db): Promise<Definition[]> {
  const functions = await queryRows<{ name: string; definition: string }>(
    db,
    sql`select p.proname as name, pg_get_functiondef(p.oid) as definition
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = 'public' order by 1, 2`,
  );
  const triggers = await queryRows<{ name: string; definition: string }>(
    db,
    sql`select 'trigger ' || t.tgname as name, pg_get_triggerdef(t.oid) as definition
        from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and not t.tgisinternal order by 1, 2`,
  );
  return [...functions, ...triggers];
}

/**
 * What the migrated database defines, then what it defines after running `file` on top, in a
 * transaction that is rolled back. The file creates everything with CREATE OR REPLACE, so both
 * lists are equal exactly when the migrations and the file agree: a changed body shows as a
 * changed definition, a function only in the file as an extra entry, a signature change as a new
 * overload.
 */
async function migratedAndFile(db: Db, file: readonly string[]): Promise<{ migrated: Definition[]; withFile: Definition[] }> {
  return atomically(db, async (tx, rollback) => {
    const migrated = await definitions(tx);
    for (const statement of file) await tx.execute(sql.raw(statement));
    return rollback({ migrated, withFile: await definitions(tx) });
  });
}

describe.each(dbKinds)("the ledger's SQL file on %s", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(() => database.close());

  it("defines exactly the functions and triggers the migrations leave in the database", async () => {
    const { migrated, withFile } = await migratedAndFile(database.db, statements);
    expect(migrated.map((entry) => entry.name)).toEqual([
      "farebox_end_holds",
      "farebox_ledger_kind_totals_add",
      "farebox_place_hold",
      "farebox_release_hold",
      "farebox_settle_hold",
      "trigger ledger_entries_kind_totals",
    ]);
    expect(withFile).toEqual(migrated);
  });

  it("notices a function body that differs from the migrations", async () => {
    const edited = statements.map((statement) =>
      statement.includes("FUNCTION farebox_release_hold(") ? statement.replace("v_open bigint;", "v_open bigint;\n  v_unused int;") : statement,
    );
    const { migrated, withFile } = await migratedAndFile(database.db, edited);
    const changed = withFile.filter((entry, index) => entry.definition !== migrated[index]?.definition).map((entry) => entry.name);
    expect(changed).toEqual(["farebox_release_hold"]);
  });

  it("notices a function the migrations never created", async () => {
    const extra = "CREATE OR REPLACE FUNCTION farebox_unmigrated() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$";
    const { migrated, withFile } = await migratedAndFile(database.db, [...statements, extra]);
    expect(withFile.map((entry) => entry.name)).toContain("farebox_unmigrated");
    expect(withFile).not.toEqual(migrated);
  });
});
