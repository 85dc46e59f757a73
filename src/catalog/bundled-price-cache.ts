/**
 * What the bundled price database answered for one list of provider ids, kept as JSON: one file per
 * package version and id list, in dist/price-data by default. Loading the package means running
 * ≈470 KB of JavaScript, 90–117 ms of every start on the 2-core VM; parsing the same providers from
 * JSON takes ≈5 ms (bench/RESULTS.md, "A warm start, shorter"). A file that is missing, unreadable
 * or for another list is made again; one that cannot be written is not kept (a read-only checkout
 * loads the package at each start, as before).
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Provider as DatabaseProvider } from "@pydantic/genai-prices";

interface CacheFile {
  version: string;
  providerIds: string[];
  providers: DatabaseProvider[];
}

/** The providers kept for `version` and `providerIds` in `dir`, or else `load()`'s, then kept. */
export function cachedProviders(dir: string, version: string, providerIds: readonly string[], load: () => DatabaseProvider[]): DatabaseProvider[] {
  const key = JSON.stringify([version, providerIds]);
  const path = join(dir, `genai-prices-${createHash("sha256").update(key).digest("hex").slice(0, 16)}.json`);
  const kept = readKept(path);
  if (kept && JSON.stringify([kept.version, kept.providerIds]) === key) return kept.providers;
  const providers = load();
  keep(path, { version, providerIds: [...providerIds], providers });
  return providers;
}

function readKept(path: string): CacheFile | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as CacheFile;
  } catch {
    return undefined;
  }
}

/** Written beside its place and renamed into it, so a process starting meanwhile reads all of it or nothing. */
function keep(path: string, file: CacheFile): void {
  const partial = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.partial`;
  try {
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(partial, JSON.stringify(file));
    renameSync(partial, path);
  } catch {
    // not kept: the next start loads the package again
  }
}
