/**
 * An installed npm package's version, read from its package.json without loading the package:
 * found from its entry point upward, as not every package exports its package.json.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** The version of `name` as installed (resolved from this checkout's node_modules). */
export function installedPackageVersion(name: string): string {
  for (let dir = dirname(createRequire(import.meta.url).resolve(name)); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (!existsSync(manifest)) continue;
    const found = JSON.parse(readFileSync(manifest, "utf8")) as { name?: string; version?: string };
    if (found.name === name && found.version) return found.version;
  }
  throw new Error(`${name}'s package.json was not found above its entry point`);
}
