/**
 * Stack traces through the compiled server (dist/server) name the TypeScript sources' lines, as
 * `--enable-source-maps` would, without that flag's memory: it reads and keeps the source map of
 * every module that has one, the libraries' included (≈14 MB of resident memory per gateway
 * process, npm run bench:memory). Here a bundle file's map is read when a stack first passes
 * through that file, and only the bundle's own maps are read.
 */
import { readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { pathToFileURL } from "node:url";

/** A bundle file's map (null: it has none), by the file's URL. */
const maps = new Map<string, SourceMap | null>();

function mapOf(fileUrl: string): SourceMap | null {
  let map = maps.get(fileUrl);
  if (map === undefined) {
    try {
      map = new SourceMap(JSON.parse(readFileSync(new URL(`${fileUrl}.map`), "utf8")) as ConstructorParameters<typeof SourceMap>[0]);
    } catch {
      map = null;
    }
    maps.set(fileUrl, map);
  }
  return map;
}

/** The call site as V8 writes it, its bundle position replaced by the source's. */
function frame(site: NodeJS.CallSite, bundleUrl: string): string {
  const text = String(site);
  const file = site.getFileName();
  const line = site.getLineNumber();
  const column = site.getColumnNumber();
  if (!file?.startsWith(bundleUrl) || line === null || column === null) return text;
  const entry = mapOf(file)?.findEntry(line - 1, column - 1);
  if (!entry || !("originalSource" in entry)) return text;
  const source = new URL(entry.originalSource, file);
  const original = `${source.protocol === "file:" ? decodeURIComponent(source.pathname) : source.href}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  return text.replace(`${file}:${line}:${column}`, original);
}

function header(error: Error): string {
  try {
    return Error.prototype.toString.call(error);
  } catch {
    return "Error";
  }
}

/**
 * Maps the frames in files under `bundleDir` from now on; does nothing when Node already maps
 * stacks (`--enable-source-maps`, or a loader such as tsx that enables it).
 */
export function mapBundleStackTraces(bundleDir: string): void {
  if (process.sourceMapsEnabled) return;
  const bundleUrl = pathToFileURL(bundleDir.endsWith("/") ? bundleDir : `${bundleDir}/`).href;
  Error.prepareStackTrace = (error, sites) => [header(error), ...sites.map((site) => `    at ${frame(site, bundleUrl)}`)].join("\n");
}
