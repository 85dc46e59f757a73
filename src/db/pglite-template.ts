/**
 * What initdb makes for a new embedded database, made once when farebox is installed (`npm
 * install` runs `prepare`: src/build.ts --pglite-template) and dumped beside the build. A first
 * start then loads the dump instead of running initdb: on the 2-core VM 1.9 s against 5.0 s, most
 * of a first start (bench/RESULTS.md, "A first start without initdb"). It is named by the
 * installed PGlite's version, so after an upgrade that brought none a first start runs initdb as
 * before. It holds no migration: those run at every start as they always do.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { installedPackageVersion } from "../domain/installed-package.js";
import { writeFileWhole } from "../domain/whole-file.js";

const TEMPLATE_DIR = fileURLToPath(new URL("../../dist/pglite", import.meta.url));

/** Where the template of the installed PGlite is (or would be) kept. */
function pgliteTemplatePath(): string {
  return join(TEMPLATE_DIR, `initdb-${installedPackageVersion("@electric-sql/pglite")}.tar.gz`);
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
  writeFileWhole(path, Buffer.from(await dump.arrayBuffer()));
  return path;
}
