/**
 * Builds the dashboard (src/web/app) into dist/web with esbuild: one hashed, minified ES module
 * bundle and its CSS, index.html naming them, and a .br and .gz copy of each file for
 * @fastify/static to serve precompressed. `npm install` runs it (src/build.ts), and `npm start`
 * again when dist/web is missing or older than a source file or the lockfile (src/build-if-stale.js),
 * so a start after `git pull` serves the new dashboard. Run alone (`npm run build:web`) it always builds.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { build } from "esbuild";

const root = fileURLToPath(new URL("../..", import.meta.url));
const appDir = join(root, "src/web/app");
const servedDir = join(root, "dist/web");

/**
 * Bundles the dashboard into dist/web; returns each written file with its brotli size. The build is
 * written beside it and swapped in with renames, so a server starting meanwhile never sees half a build.
 */
export async function buildDashboard(): Promise<{ file: string; bytes: number; brotliBytes: number }[]> {
  const outDir = `${servedDir}.${process.pid}.new`;
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const result = await build({
    entryPoints: [join(appDir, "main.tsx")],
    bundle: true,
    format: "esm",
    splitting: true,
    minify: true,
    sourcemap: false,
    target: ["es2022", "chrome111", "firefox115", "safari16"],
    jsx: "automatic",
    jsxImportSource: "preact",
    outdir: join(outDir, "assets"),
    entryNames: "[name]-[hash]",
    chunkNames: "chunk-[hash]",
    assetNames: "[name]-[hash]",
    metafile: true,
    legalComments: "none",
    logLevel: "warning",
    absWorkingDir: root,
  });
  const outputs = Object.entries(result.metafile.outputs);
  const entry = outputs.find(([, output]) => output.entryPoint !== undefined && !output.entryPoint.endsWith(".css"));
  if (!entry) throw new Error("esbuild wrote no entry bundle");
  const script = `assets/${basename(entry[0])}`;
  const styles = entry[1].cssBundle ? `assets/${basename(entry[1].cssBundle)}` : undefined;
  const html = readFileSync(join(appDir, "index.html"), "utf8")
    .replace("<!--styles-->", styles ? `<link rel="stylesheet" href="./${styles}">` : "")
    .replace("<!--script-->", `<script type="module" src="./${script}"></script>`);
  writeFileSync(join(outDir, "index.html"), html);
  const written = [join(outDir, "index.html"), ...outputs.map(([file]) => join(root, file))];
  const files = written.map((file) => {
    const content = readFileSync(file);
    const brotli = brotliCompressSync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } });
    writeFileSync(`${file}.br`, brotli);
    writeFileSync(`${file}.gz`, gzipSync(content, { level: 9 }));
    return { file: file.slice(outDir.length + 1), bytes: content.length, brotliBytes: brotli.length };
  });
  const oldDir = `${servedDir}.${process.pid}.old`;
  if (existsSync(servedDir)) renameSync(servedDir, oldDir);
  renameSync(outDir, servedDir);
  rmSync(oldDir, { recursive: true, force: true });
  return files;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const files = await buildDashboard();
  const total = files.reduce((sum, f) => sum + f.brotliBytes, 0);
  process.stdout.write(`dashboard built into dist/web: ${files.length} files, ${(total / 1024).toFixed(1)} KB brotli\n`);
}
