/**
 * Embedded PGlite as farebox opens it: Postgres settings for one process's own database. A new
 * data directory is created by pglite-creation.ts.
 */
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
export const START_PARAMS = [...PGlite.defaultStartParams, ...Object.entries(SETTINGS).flatMap(([name, value]) => ["-c", `${name}=${value}`])];

/** Opens PGlite in `dataDir` ("memory": in memory), from `dump` when the database is new. */
export async function openPglite(dataDir: string, dump: Blob | undefined): Promise<PGlite> {
  const options = { startParams: START_PARAMS, ...(dump ? { loadDataDir: dump } : {}) };
  const client = dataDir === "memory" ? new PGlite(options) : new PGlite(dataDir, options);
  await client.waitReady;
  return client;
}
