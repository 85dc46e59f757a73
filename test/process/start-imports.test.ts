/**
 * What a gateway process imports when it starts, read from the compiled server's module graph
 * (src/build.ts's options, with esbuild's metafile): the packages of the gateway chunk and of
 * every chunk it imports statically. Packages only some processes need (viem for sign-in with
 * Ethereum and EVM chains, the price database for catalog builds) must stay out of it: each is
 * megabytes of resident memory in every process (npm run bench:memory). So must each database's
 * driver, imported only for its own database: postgres.js took ≈30 ms of every embedded start.
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build, type Metafile } from "esbuild";
import { describe, expect, it } from "vitest";
import { serverBuildOptions } from "../../src/build.js";

/** The external packages the chunk built from `entry` and its static imports load. */
function packagesLoadedWith(metafile: Metafile, entry: string): Set<string> {
  const outputs = metafile.outputs;
  const start = Object.keys(outputs).find((path) => outputs[path]!.entryPoint === entry);
  if (!start) throw new Error(`no chunk is built from ${entry}`);
  const chunks = new Set<string>();
  const packages = new Set<string>();
  const pending = [start];
  for (let chunk = pending.pop(); chunk !== undefined; chunk = pending.pop()) {
    if (chunks.has(chunk)) continue;
    chunks.add(chunk);
    for (const imported of outputs[chunk]!.imports) {
      if (imported.kind !== "import-statement") continue;
      if (imported.external) packages.add(imported.path);
      else pending.push(imported.path);
    }
  }
  return packages;
}

describe("a gateway process at start", () => {
  it("imports neither viem, the price database package nor a database driver", { timeout: 60_000 }, async () => {
    const { metafile } = await build({ ...serverBuildOptions(join(tmpdir(), "farebox-start-imports")), write: false, metafile: true, logLevel: "error" });
    const packages = packagesLoadedWith(metafile, "src/wiring/gateway-process.ts");
    expect(packages).toContain("fastify");
    expect(packages).toContain("drizzle-orm");
    const onUse = /^(viem|@pydantic\/genai-prices|postgres|drizzle-orm\/postgres-js|drizzle-orm\/pglite|@electric-sql\/pglite)(\/|$)/;
    expect([...packages].filter((name) => onUse.test(name))).toEqual([]);
  });
});
