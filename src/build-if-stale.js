// @ts-check
/**
 * Whether the compiled server (dist/server) and dashboard (dist/web) are missing or older than what
 * they are made from: the rules npm start (src/start.js), src/build.ts and src/web/build.ts share.
 * Plain JavaScript, so that a start with nothing to build does not load TypeScript's loader: tsx
 * alone costs ≈0.3 s of every start on the 2-core VM, this whole check ≈0.05 s (bench/RESULTS.md,
 * "A first start without initdb").
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The checkout's root directory. */
export const root = fileURLToPath(new URL("..", import.meta.url));

/**
 * Newest modification time of any file under `dir`, in ms.
 * @param {string} dir
 * @returns {number}
 */
function newestMtimeMs(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtimeMs(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * True when `built` is missing or older than any of `sources` (files or directories).
 * @param {string} built
 * @param {string[]} sources
 */
function olderThan(built, sources) {
  let builtAt;
  try {
    builtAt = statSync(join(root, built)).mtimeMs;
  } catch {
    return true;
  }
  const newest = sources.map((source) => {
    const path = join(root, source);
    return statSync(path).isDirectory() ? newestMtimeMs(path) : statSync(path).mtimeMs;
  });
  return Math.max(...newest) > builtAt;
}

/** True when dist/web is missing or older than the sources that make it. */
export function dashboardIsStale() {
  return olderThan("dist/web/index.html", ["src/web", "package-lock.json"]);
}

/** True when dist/server/main.js is missing or older than a server source, package.json or the lockfile. */
export function serverIsStale() {
  return olderThan("dist/server/main.js", ["src", "package.json", "package-lock.json"]);
}
