import { mkdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { sql, type SQL } from "drizzle-orm";
import { PgDialect, type PgDatabase, type PgQueryResultHKT } from "drizzle-orm/pg-core";
import * as schema from "./schema/index.js";

/**
 * One drizzle type above both drivers: the code never knows which one it talks to.
 * A transaction (`db.transaction(tx => …)`) is a Db too, so repository functions take either.
 */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

/** Any drizzle Postgres database (postgres.js or PGlite), whatever schema it was built with. */
export type AnyPgDatabase = PgDatabase<PgQueryResultHKT, Record<string, unknown>>;

export interface Database {
  db: Db;
  dialect: "pglite" | "postgres";
  /** Applies every committed migration in drizzle/ that is not applied yet. */
  migrate(): Promise<void>;
  /** True when the database answers and every migration in drizzle/ is applied. */
  isReady(): Promise<boolean>;
  close(): Promise<void>;
}

export interface DbOptions {
  /** postgres:// URL → postgres.js; unset → embedded PGlite. */
  databaseUrl?: string | undefined;
  /** PGlite data directory; "memory" keeps the database in memory (tests). */
  dataDir?: string;
  /** PGlite only, for a new database: start from this data directory dump instead of running initdb. */
  pgliteDump?: Blob;
  /** postgres.js pool size. */
  maxConnections?: number;
  /** PGlite only: told when the template made at install could not be loaded for a new database (initdb ran instead). */
  onPgliteTemplateError?: (error: unknown) => void;
}

const MIGRATIONS_FOLDER = fileURLToPath(new URL("../../drizzle", import.meta.url));
const MIGRATION_LOCK_ID = 7_734_221_001;

/** Connects to Postgres (DATABASE_URL) or opens embedded PGlite; nothing is migrated until `migrate()`. */
export async function createDb(options: DbOptions): Promise<Database> {
  if (options.databaseUrl) return createPostgres(options.databaseUrl, options.maxConnections ?? 10);
  return createPglite(options.dataDir ?? "./data", options.pgliteDump, options.onPgliteTemplateError);
}

async function createPglite(dataDir: string, dump: Blob | undefined, onTemplateError: ((error: unknown) => void) | undefined): Promise<Database> {
  // imported only for PGlite: a process on PostgreSQL never loads the embedded engine's modules
  const [{ ensureDatabase }, { existingPgliteTemplate }, { openPglite }, { drizzle: drizzlePglite }, { migrate: migratePglite }] = await Promise.all([
    import("./pglite-creation.js"),
    import("./pglite-template.js"),
    import("./pglite.js"),
    import("drizzle-orm/pglite"),
    import("drizzle-orm/pglite/migrator"),
  ]);
  if (dataDir !== "memory") {
    if (dump) mkdirSync(dataDir, { recursive: true });
    else await ensureDatabase(dataDir, MIGRATIONS_FOLDER, existingPgliteTemplate(), onTemplateError);
  }
  const client = await openPglite(dataDir, dump);
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  return {
    db,
    dialect: "pglite",
    migrate: () => migratePglite(db as never, { migrationsFolder: MIGRATIONS_FOLDER }),
    isReady: () => migrationsApplied(db),
    close: () => client.close(),
  };
}

async function createPostgres(url: string, max: number): Promise<Database> {
  // imported only for PostgreSQL, as PGlite's are only for PGlite: ≈30 ms of an embedded start
  const [{ default: postgres }, { drizzle: drizzlePostgres }, { migrate: migratePostgres }] = await Promise.all([
    import("postgres"),
    import("drizzle-orm/postgres-js"),
    import("drizzle-orm/postgres-js/migrator"),
  ]);
  const client = postgres(url, { max, onnotice: () => undefined, connection: { application_name: "farebox" } });
  const db = drizzlePostgres(client, { schema }) as unknown as Db;
  return {
    db,
    dialect: "postgres",
    async migrate() {
      // Several gateway processes may start at once: one migrates, the others wait for it.
      // The lock and the migration share one dedicated connection.
      const single = postgres(url, { max: 1, onnotice: () => undefined });
      try {
        await single`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
        await migratePostgres(drizzlePostgres(single), { migrationsFolder: MIGRATIONS_FOLDER });
      } finally {
        await single.end({ timeout: 5 });
      }
    },
    isReady: () => migrationsApplied(db),
    close: () => client.end({ timeout: 5 }),
  };
}

/**
 * Rows of a raw statement, whichever driver ran it (postgres.js returns an array, PGlite `{ rows }`).
 * Cast aggregates to text in SQL so both drivers hand back exact strings.
 */
export async function queryRows<T extends Record<string, unknown>>(db: AnyPgDatabase, query: SQL): Promise<T[]> {
  return rowsOf<T>(await db.execute(query));
}

const dialect = new PgDialect();

/**
 * `queryRows` for a statement whose text never changes (every value a parameter, whatever the
 * batch size): on Postgres it becomes a prepared statement of each connection, parsed and
 * described once, then sent as Bind/Execute alone. `db.execute` sends every statement unnamed,
 * and postgres.js then waits for its parameter types before sending the values: two round trips
 * and a parse and plan on the server for every call. A statement whose text varies must not
 * come here: each text would stay prepared on its connection.
 */
export async function preparedRows<T extends Record<string, unknown>>(db: AnyPgDatabase, query: SQL): Promise<T[]> {
  return rowsOf<T>(await db._.session.prepareQuery(dialect.sqlToQuery(query), undefined, "prepared", false).execute());
}

function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

let journalLength: number | undefined;

async function migrationsApplied(db: Db): Promise<boolean> {
  try {
    journalLength ??= (
      JSON.parse(readFileSync(`${MIGRATIONS_FOLDER}/meta/_journal.json`, "utf8")) as { entries: unknown[] }
    ).entries.length;
    const rows = await queryRows<{ applied: number | string }>(
      db,
      sql`select count(*) as applied from drizzle.__drizzle_migrations`,
    );
    return Number(rows[0]?.applied ?? 0) >= journalLength;
  } catch {
    return false;
  }
}
