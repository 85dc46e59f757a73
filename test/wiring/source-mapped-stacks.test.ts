import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "farebox-stacks-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("stack traces of a compiled bundle", () => {
  it("name the TypeScript source's line without --enable-source-maps", async () => {
    const entry = join(dir, "entry.ts");
    writeFileSync(
      entry,
      [
        `import { mapBundleStackTraces } from ${JSON.stringify(join(process.cwd(), "src/wiring/source-mapped-stacks.ts"))};`,
        `mapBundleStackTraces(${JSON.stringify(join(dir, "out"))});`,
        "function fails(): never {",
        '  throw new TypeError("boom");',
        "}",
        "try { fails(); } catch (error) { process.stdout.write((error as Error).stack!); }",
      ].join("\n"),
    );
    await build({ entryPoints: [entry], outdir: join(dir, "out"), bundle: true, platform: "node", format: "esm", sourcemap: "linked", logLevel: "error" });
    const stack = execFileSync(process.execPath, [join(dir, "out/entry.js")], { encoding: "utf8" });
    const lines = stack.split("\n");
    expect(lines[0]).toBe("TypeError: boom");
    expect(lines[1]).toBe(`    at fails (${entry}:4:9)`);
  });
});
