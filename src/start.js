// @ts-check
/**
 * `npm start`: compiles the server and the dashboard again only when one is missing or older than
 * its sources (src/build.ts, in a child process with TypeScript's loader), then runs the compiled
 * server in this same process. One node process instead of a checking one and then the server's:
 * ≈0.15 s less of every start on the 2-core VM (bench/RESULTS.md, "A warm start, shorter").
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { dashboardIsStale, root, serverIsStale } from "./build-if-stale.js";

if (serverIsStale() || dashboardIsStale()) {
  const build = spawnSync(process.execPath, ["--import", "tsx", join(root, "src/build.ts")], { cwd: root, stdio: "inherit" });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const server = join(root, "dist/server/main.js");
// the server's own path, as if node had been given it: it reads its source maps beside it, and on
// PostgreSQL the cluster's primary forks its workers from it (with this process's node flags)
process.argv[1] = server;
await import(pathToFileURL(server).href);
