/**
 * Embedded PGlite as farebox opens it: Postgres settings for one process's own database, and a
 * fresh data directory created (initdb + migrations) in a short-lived child process.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { PGlite } from "@electric-sql/pglite";

/**
 * PGlite's WebAssembly memory only grows, and Postgres allocates and touches its shared memory at
 * start: the shared_buffers initdb writes (128MB) made the process ≈120 MB larger at idle (a script
 * opening a warm database and migrating measured 378 MB resident; 280 with 32MB, 236-260 with 16MB,
 * the resident part of the linear memory 47 → 29 MB from 32MB to 16MB). 16MB (2,048 pages) holds farebox's hot pages (accounts, keys, holds, the
 * tails of the append-only tables and their indexes) many times over; a miss is a read from the
 * OS's page cache, and large scans use a small ring of buffers whatever the setting.
 * maintenance_work_mem bounds what a migration's CREATE INDEX can grow the memory by for good.
 */
const SETTINGS: Record<string, string> = {
  shared_buffers: "16MB",
  maintenance_work_mem: "16MB",
};

/** PGlite's own start parameters (single-user mode and its settings) plus farebox's. */
const START_PARAMS = [...PGlite.defaultStartParams, ...Object.entries(SETTINGS).flatMap(([name, value]) => ["-c", `${name}=${value}`])];

/** Opens PGlite in `dataDir` ("memory": in memory), from `dump` when the database is new. */
export async function openPglite(dataDir: string, dump: Blob | undefined): Promise<PGlite> {
  const options = { startParams: START_PARAMS, ...(dump ? { loadDataDir: dump } : {}) };
  const client = dataDir === "memory" ? new PGlite(options) : new PGlite(dataDir, options);
  await client.waitReady;
  return client;
}

/** True when `dataDir` holds no database yet (PGlite would run initdb in it). */
export function holdsNoDatabase(dataDir: string): boolean {
  return !existsSync(join(dataDir, "PG_VERSION"));
}

/** Run by `node -e` in the child: PGlite's initdb in the data directory, the migrations, close. */
const CREATE_SCRIPT = `
const [pglite, drizzle, migrator, dataDir, startParams, migrationsFolder] = process.argv.slice(1);
const { PGlite } = await import(pglite);
const client = await PGlite.create(dataDir, { startParams: JSON.parse(startParams) });
await (await import(migrator)).migrate((await import(drizzle)).drizzle(client), { migrationsFolder });
await client.close();
`;

/**
 * Creates the database of a fresh `dataDir` (initdb, then the migrations in `migrationsFolder`)
 * in a child process that then exits. Done in this process, initdb (PGlite runs it in a second,
 * in-memory instance and copies the result over) and the migrations left it at 870 MB idle;
 * closing and reopening in-process still left ≈100 MB held by the allocator, and the migrations
 * alone grow a process by ≈45 MB. A process that exits gives all of it back. The child loads
 * PGlite and drizzle's migrator only (no tsx, no farebox module).
 */
export function createInChildProcess(dataDir: string, migrationsFolder: string): Promise<void> {
  const require = createRequire(import.meta.url);
  const modules = ["@electric-sql/pglite", "drizzle-orm/pglite", "drizzle-orm/pglite/migrator"].map((name) => pathToFileURL(require.resolve(name)).href);
  const args = ["--input-type=module", "-e", CREATE_SCRIPT, ...modules, dataDir, JSON.stringify(START_PARAMS), migrationsFolder];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`creating the PGlite database in ${dataDir} failed (${signal ?? `exit ${code}`}): ${stderr.trim()}`));
    });
  });
}
