/**
 * What the bundled price database answered for one list of provider ids, kept as JSON: one file per
 * package version and id list, in dist/price-data by default. Loading the package means running
 * ≈470 KB of JavaScript, 90–117 ms of every start on the 2-core VM; parsing the same providers from
 * JSON takes ≈5 ms (bench/RESULTS.md, "A warm start, shorter"). A file that is missing, unreadable
 * or for another list is made again; one that cannot be written is not kept (a read-only checkout
 * loads the package at each start, as before). Keeping one removes those of other versions.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Provider as DatabaseProvider } from "@pydantic/genai-prices";
import { writeFileWhole } from "../domain/whole-file.js";

interface CacheFile {
  version: string;
  providerIds: string[];
  providers: DatabaseProvider[];
}

/** The providers kept for `version` and `providerIds` in `dir`, or else `load()`'s, then kept. */
export function cachedProviders(dir: string, version: string, providerIds: readonly string[], load: () => DatabaseProvider[]): DatabaseProvider[] {
  const key = JSON.stringify([version, providerIds]);
  const prefix = `genai-prices-${version}-`;
  const path = join(dir, `${prefix}${createHash("sha256").update(key).digest("hex").slice(0, 16)}.json`);
  const kept = readKept(path);
  if (kept && JSON.stringify([kept.version, kept.providerIds]) === key) return kept.providers;
  const providers = load();
  const file: CacheFile = { version, providerIds: [...providerIds], providers };
  if (quietly(() => writeFileWhole(path, JSON.stringify(file)))) quietly(() => removeOtherVersions(dir, prefix));
  return providers;
}

/** Files (and partial writes) of other versions of the package: an upgrade leaves nothing behind. */
function removeOtherVersions(dir: string, prefix: string): void {
  for (const name of readdirSync(dir)) {
    if (name.startsWith("genai-prices-") && !name.startsWith(prefix)) rmSync(join(dir, name), { force: true });
  }
}

/** The files are only a shortcut: failing to write or tidy them must not fail a catalog build. */
function quietly(action: () => void): boolean {
  try {
    action();
    return true;
  } catch {
    return false;
  }
}

function readKept(path: string): CacheFile | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as CacheFile;
  } catch {
    return undefined;
  }
}
