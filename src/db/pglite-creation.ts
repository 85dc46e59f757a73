/**
 * A new embedded database: initdb and the migrations run in a short-lived child process, in a
 * scratch directory inside the data directory, and the result is moved into place only once it is
 * whole. The data directory therefore holds a complete, migrated database or none, whenever the
 * start is stopped (Ctrl-C, kill -9, a full disk): the next start finishes or redoes the work.
 *
 *   <dataDir>/.creating  initdb and migrations under way (a stopped one is removed and redone)
 *   <dataDir>/.created   whole and migrated, being moved up entry by entry, PG_VERSION last
 *
 * A data directory is a database when PG_VERSION is in it (what PGlite checks), so moving
 * PG_VERSION last makes the move's end atomic; a move that was stopped is finished at the next
 * start. Everything stays on the data directory's own file system (a mounted volume included).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, renameSync, rmdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { START_PARAMS } from "./pglite.js";

const MARKER = "PG_VERSION";
const CREATING = ".creating";
const CREATED = ".created";

/**
 * Makes sure `dataDir` holds a migrated database, creating one when it holds none: from `template`
 * (what initdb makes, dumped at install) when there is one, else by initdb. A template that cannot
 * be loaded is reported to `onTemplateError`, and initdb runs instead.
 */
export async function ensureDatabase(
  dataDir: string,
  migrationsFolder: string,
  template: string | undefined,
  onTemplateError: (error: unknown) => void = () => undefined,
): Promise<void> {
  mkdirSync(dataDir, { recursive: true });
  rmSync(join(dataDir, CREATING), { recursive: true, force: true });
  moveIntoPlace(dataDir);
  if (existsSync(join(dataDir, MARKER))) return;
  const foreign = readdirSync(dataDir);
  if (foreign.length > 0) {
    throw new Error(`${resolve(dataDir)} holds files but no PGlite database (no ${MARKER}): move them away, or set DATA_DIR to another directory`);
  }
  try {
    await createInChildProcess(dataDir, migrationsFolder, template);
  } catch (error) {
    // a template that cannot be loaded (damaged, or unreadable) must not stop the start: initdb makes what it held
    if (template === undefined) throw error;
    onTemplateError(error);
    rmSync(join(dataDir, CREATING), { recursive: true, force: true });
    await createInChildProcess(dataDir, migrationsFolder, undefined);
  }
  moveIntoPlace(dataDir);
}

/** Moves a finished creation's entries up into `dataDir`, PG_VERSION last (none: nothing to do). */
function moveIntoPlace(dataDir: string): void {
  const created = join(dataDir, CREATED);
  if (!existsSync(created)) return;
  const entries = readdirSync(created).sort((a, b) => Number(a === MARKER) - Number(b === MARKER));
  for (const entry of entries) renameSync(join(created, entry), join(dataDir, entry));
  rmdirSync(created);
}

/**
 * Run by `node -e` in the child: initdb in `.creating` (or the template initdb made, loaded, when
 * there is one: pglite-template.ts), the migrations, close, then `.creating` renamed to `.created`
 * (one atomic rename: from here on the database is whole).
 */
const CREATE_SCRIPT = `
const [pglite, drizzle, migrator, dataDir, startParams, migrationsFolder, template] = process.argv.slice(1);
const { join } = await import("node:path");
const { readFileSync, renameSync } = await import("node:fs");
const { PGlite } = await import(pglite);
const options = { startParams: JSON.parse(startParams) };
if (template) options.loadDataDir = new Blob([readFileSync(template)]);
const client = await PGlite.create(join(dataDir, "${CREATING}"), options);
await (await import(migrator)).migrate((await import(drizzle)).drizzle(client), { migrationsFolder });
await client.close();
renameSync(join(dataDir, "${CREATING}"), join(dataDir, "${CREATED}"));
`;

/**
 * The creation in a child process that then exits. Done in this process, initdb (PGlite runs it in
 * a second, in-memory instance and copies the result over) and the migrations left it at 870 MB
 * idle; closing and reopening in-process still left ≈100 MB held by the allocator, and the
 * migrations alone grow a process by ≈45 MB. A process that exits gives all of it back. The child
 * loads PGlite and drizzle's migrator only (no tsx, no farebox module).
 */
function createInChildProcess(dataDir: string, migrationsFolder: string, template: string | undefined): Promise<void> {
  const require = createRequire(import.meta.url);
  const modules = ["@electric-sql/pglite", "drizzle-orm/pglite", "drizzle-orm/pglite/migrator"].map((name) => pathToFileURL(require.resolve(name)).href);
  const args = ["--input-type=module", "-e", CREATE_SCRIPT, ...modules, resolve(dataDir), JSON.stringify(START_PARAMS), migrationsFolder, template ?? ""];
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
