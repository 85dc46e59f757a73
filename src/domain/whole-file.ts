/**
 * A file written beside its place and renamed into it, so that a process reading it meanwhile
 * finds all of it or nothing.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/** Writes `data` to `path` whole (its folder made when missing); on a failure nothing is left behind and the error is thrown. */
export function writeFileWhole(path: string, data: string | Uint8Array): void {
  const partial = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.partial`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(partial, data);
    renameSync(partial, path);
  } catch (error) {
    try {
      rmSync(partial, { force: true });
    } catch {
      // the partial file could not be made either
    }
    throw error;
  }
}
