/**
 * What initdb makes for a new embedded database, made once when farebox is installed (`npm
 * install` runs `prepare`: src/build.ts --pglite-template) and dumped beside the build. A first
 * start then loads the dump instead of running initdb: on the 2-core VM 1.9 s against 5.0 s, most
 * of a first start (bench/RESULTS.md, "A first start without initdb"). It is named by the
 * installed PGlite's version, so after an upgrade that brought none a first start runs initdb as
 * before. It holds no migration: those run at every start as they always do.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const TEMPLATE_DIR = fileURLToPath(new URL("../../dist/pglite", import.meta.url));
const PACKAGE = "@electric-sql/pglite";

/** The installed PGlite's version (its package.json is not among its exports: found from its entry point up). */
function pgliteVersion(): string {
  for (let dir = dirname(createRequire(import.meta.url).resolve(PACKAGE)); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (!existsSync(manifest)) continue;
    const { name, version } = JSON.parse(readFileSync(manifest, "utf8")) as { name?: string; version?: string };
    if (name === PACKAGE && version) return version;
  }
  throw new Error(`${PACKAGE}'s package.json was not found above its entry point`);
}

/** Where the template of the installed PGlite is (or would be) kept. */
function pgliteTemplatePath(): string {
  return join(TEMPLATE_DIR, `initdb-${pgliteVersion()}.tar.gz`);
}

/** The installed PGlite's template when one was made, else undefined (a first start then runs initdb). */
export function existingPgliteTemplate(): string | undefined {
  const path = pgliteTemplatePath();
  return existsSync(path) ? path : undefined;
}

/** Makes the installed PGlite's template at `path` unless it exists; written whole or not at all. Returns its path. */
export async function writePgliteTemplate(path = pgliteTemplatePath()): Promise<string> {
  if (existsSync(path)) return path;
  const [{ PGlite }, { START_PARAMS }] = await Promise.all([import("@electric-sql/pglite"), import("./pglite.js")]);
  const client = await PGlite.create({ startParams: START_PARAMS });
  const dump = await client.dumpDataDir("gzip");
  await client.close();
  mkdirSync(dirname(path), { recursive: true });
  const partial = `${path}.${process.pid}.part`;
  writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
  renameSync(partial, path);
  return path;
}
