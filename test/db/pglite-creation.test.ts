import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client.js";
import { ensureDatabase } from "../../src/db/pglite-creation.js";
import { writePgliteTemplate } from "../../src/db/pglite-template.js";

const MIGRATIONS = fileURLToPath(new URL("../../drizzle", import.meta.url));
const root = mkdtempSync(join(tmpdir(), "farebox-pglite-creation-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** True when `dataDir` opens as farebox's database with every migration applied. */
async function opensMigrated(dataDir: string): Promise<boolean> {
  const database = await createDb({ dataDir });
  try {
    return await database.isReady();
  } finally {
    await database.close();
  }
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  for (const started = Date.now(); !condition(); ) {
    if (Date.now() - started > timeoutMs) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("creating the embedded database", { timeout: 120_000 }, () => {
  const fresh = join(root, "fresh");

  it("creates and migrates a new data directory, leaving no scratch directory", async () => {
    await ensureDatabase(fresh, MIGRATIONS, undefined);
    expect(readdirSync(fresh)).toContain("PG_VERSION");
    expect(readdirSync(fresh).filter((entry) => entry.startsWith("."))).toEqual([]);
    expect(await opensMigrated(fresh)).toBe(true);
  });

  it("creates it from initdb's template when there is one: the same files, migrated", async () => {
    const template = await writePgliteTemplate(join(root, "template", "initdb.tar.gz"));
    const dataDir = join(root, "from-template");
    await ensureDatabase(dataDir, MIGRATIONS, template);
    const visible = (dir: string) => readdirSync(dir).filter((entry) => !entry.startsWith(".") && entry !== "postmaster.pid").sort();
    expect(visible(dataDir)).toEqual(visible(fresh));
    expect(readdirSync(dataDir).filter((entry) => entry.startsWith("."))).toEqual([]);
    expect(await opensMigrated(dataDir)).toBe(true);
  });

  it("runs initdb when the template cannot be loaded, and says so", async () => {
    const template = join(root, "damaged.tar.gz");
    writeFileSync(template, "not a tarball");
    const dataDir = join(root, "damaged-template");
    const reported: unknown[] = [];
    await ensureDatabase(dataDir, MIGRATIONS, template, (error) => reported.push(error));
    expect(reported).toHaveLength(1);
    expect(readdirSync(dataDir).filter((entry) => entry.startsWith("."))).toEqual([]);
    expect(await opensMigrated(dataDir)).toBe(true);
  });

  it("finishes a move into place that was stopped halfway", async () => {
    // what a stop between two renames leaves: part of the database moved up, the rest and PG_VERSION in .created
    const dataDir = join(root, "half-moved");
    mkdirSync(join(dataDir, ".created"), { recursive: true });
    const entries = readdirSync(fresh).filter((entry) => !entry.startsWith(".") && entry !== "postmaster.pid");
    entries.forEach((entry, index) => {
      const target = index % 2 === 0 && entry !== "PG_VERSION" ? dataDir : join(dataDir, ".created");
      cpSync(join(fresh, entry), join(target, entry), { recursive: true });
    });
    await ensureDatabase(dataDir, MIGRATIONS, undefined);
    expect(existsSync(join(dataDir, ".created"))).toBe(false);
    expect(readdirSync(dataDir).sort()).toEqual(entries.sort());
    expect(await opensMigrated(dataDir)).toBe(true);
  });

  it("leaves a directory of other files alone and says so", async () => {
    const dataDir = join(root, "foreign");
    mkdirSync(dataDir);
    writeFileSync(join(dataDir, "notes.txt"), "mine");
    await expect(ensureDatabase(dataDir, MIGRATIONS, undefined)).rejects.toThrow(/holds files but no PGlite database/);
    expect(readdirSync(dataDir)).toEqual(["notes.txt"]);
  });

  it("holds a whole database or none when the start is killed during initdb, and the next start redoes it", async () => {
    const dataDir = join(root, "killed");
    const script = `const { ensureDatabase } = await import(${JSON.stringify(new URL("../../src/db/pglite-creation.ts", import.meta.url).href)});
await ensureDatabase(${JSON.stringify(dataDir)}, ${JSON.stringify(MIGRATIONS)}, undefined);`;
    // its own process group, so kill -9 reaches the creating child too, as Ctrl-C reaches a terminal's
    const starter = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { detached: true, stdio: "ignore" });
    await until(() => existsSync(join(dataDir, ".creating")), 30_000);
    await until(() => readdirSync(join(dataDir, ".creating")).length > 0, 30_000);
    process.kill(-starter.pid!, "SIGKILL");
    await new Promise((resolve) => starter.once("exit", resolve));
    expect(existsSync(join(dataDir, "PG_VERSION"))).toBe(false);
    expect(readdirSync(dataDir)).toEqual([".creating"]);
    await ensureDatabase(dataDir, MIGRATIONS, undefined);
    expect(readdirSync(dataDir).filter((entry) => entry.startsWith("."))).toEqual([]);
    expect(await opensMigrated(dataDir)).toBe(true);
  });
});
