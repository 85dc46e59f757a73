/**
 * Builds what `npm start` runs, each part only when it is missing or older than its sources (or
 * the lockfile): the dashboard (src/web/build.ts) and the server, bundled by esbuild from
 * src/main.ts into dist/server/main.js so a start loads one compiled file instead of transpiling
 * every TypeScript module (the difference is seconds at start and ≈100 MB of resident memory per
 * process). Packages stay in node_modules (imported, not bundled): bundled too, minified and
 * tree-shaken (only the packages that read their own files kept external), an idle worker was
 * ≈10 MB larger, not smaller (its old space ≈3.5 MB smaller, its malloc heap ≈6 MB and its
 * large-object space ≈1 MB larger; bench/RESULTS.md, "Worker memory"), and a stack trace through
 * library code would read a 6 MB source map. `--force` rebuilds both. `--pglite-template`, which
 * `npm install` gives it (the `prepare` script), also makes what initdb makes for a new embedded
 * database, once per PGlite version (db/pglite-template.ts), so a first start need not run initdb.
 */
import { existsSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type BuildOptions, type Plugin } from "esbuild";
import { dashboardIsStale, serverIsStale } from "./build-if-stale.js";
import { writePgliteTemplate } from "./db/pglite-template.js";
import { buildDashboard } from "./web/build.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const serverEntry = join(root, "src/main.ts");
const serverDir = join(root, "dist/server");

/**
 * Each module keeps its own `import.meta.url` (modules find drizzle/ and dist/web relative to
 * themselves): rewritten to the source file's URL, relative to the bundle so the checkout can move.
 */
const ownImportMetaUrl: Plugin = {
  name: "own-import-meta-url",
  setup(context) {
    context.onLoad({ filter: /\/src\/.*\.ts$/ }, (args) => {
      const text = readFileSync(args.path, "utf8");
      if (!text.includes("import.meta.url")) return undefined;
      const fromBundle = relative(serverDir, args.path);
      return { contents: text.replaceAll("import.meta.url", `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`), loader: "ts" };
    });
  },
};

/**
 * How the server is bundled into `outDir`: main.js, and chunks for what is imported only where it
 * runs (the chain listeners, x402, PGlite).
 */
export function serverBuildOptions(outDir: string): BuildOptions {
  return {
    entryPoints: [serverEntry],
    outdir: outDir,
    entryNames: "[name]",
    chunkNames: "[name]-[hash]",
    splitting: true,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    // Without comments the bundle is ASCII, so V8 keeps each module's source (held for lazy
    // compilation) as one byte per character: a comment's "→" or "≈" made the gateway chunk's
    // 523 KB a 1,047 KB two-byte string in every process (heap snapshot); now it is 422 KB.
    // Stack traces still name source lines through the source maps (wiring/source-mapped-stacks.ts).
    minifyWhitespace: true,
    sourcemap: "linked",
    plugins: [ownImportMetaUrl],
    logLevel: "warning",
    absWorkingDir: root,
  };
}

/**
 * Bundles the server into dist/server, written beside it and swapped in with renames, so a
 * process starting meanwhile never sees half a build.
 */
export async function buildServer(): Promise<void> {
  const outDir = `${serverDir}.${process.pid}.new`;
  rmSync(outDir, { recursive: true, force: true });
  await build(serverBuildOptions(outDir));
  const oldDir = `${serverDir}.${process.pid}.old`;
  if (existsSync(serverDir)) renameSync(serverDir, oldDir);
  renameSync(outDir, serverDir);
  rmSync(oldDir, { recursive: true, force: true });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const force = process.argv.includes("--force");
  if (force || dashboardIsStale()) {
    process.stdout.write("building the dashboard into dist/web (missing, or older than its sources)…\n");
    await buildDashboard();
  }
  if (force || serverIsStale()) {
    const since = performance.now();
    process.stdout.write("compiling the server into dist/server (missing, or older than its sources)…\n");
    await buildServer();
    process.stdout.write(`server compiled in ${((performance.now() - since) / 1000).toFixed(1)} s\n`);
  }
  // `npm install` (prepare) only: a start on PostgreSQL has no use for it, and one on PGlite without it runs initdb
  if (process.argv.includes("--pglite-template")) {
    const since = performance.now();
    const path = await writePgliteTemplate();
    process.stdout.write(`embedded database template ready in ${((performance.now() - since) / 1000).toFixed(1)} s: ${relative(root, path)}\n`);
  }
}
