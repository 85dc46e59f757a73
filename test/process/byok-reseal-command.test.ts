import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, inject, it } from "vitest";
import { buildKeyring, masterKeyId } from "../../src/byok/master-keys.js";
import { ByokStore } from "../../src/byok/store.js";
import { KeyVault } from "../../src/byok/vault.js";
import { createDb, type Database } from "../../src/db/client.js";
import { createAccount } from "../../src/ledger/index.js";
import { createTestDatabase, dbKinds } from "../support/db.js";

const run = promisify(execFile);
const root = join(import.meta.dirname, "../..");

const oldKey = randomBytes(32).toString("base64");
const newKey = randomBytes(32).toString("hex");
const strayKey = randomBytes(32).toString("base64");
const secrets = { openai: "sk-proj-OPENAISECRET-1111", anthropic: "sk-ant-ANTHROPICSECRET-2222", stray: "sk-STRAYSECRET-3333" };

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `npm run byok:reseal`'s script as the operator would, with only the given environment. */
async function reseal(env: Record<string, string>): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", "src/cli/byok-reseal.ts"], {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/**
 * A database the child process can open too: a PGlite data directory (closed while the child
 * runs, as PGlite allows one process) or this file's own Postgres database.
 */
interface SharedDatabase {
  env: Record<string, string>;
  /** Runs `work` against the database from this process. */
  use<T>(work: (database: Database) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

async function sharedDatabase(kind: "pglite" | "postgres"): Promise<SharedDatabase> {
  if (kind === "postgres") {
    const database = await createTestDatabase("postgres");
    return { env: { DATABASE_URL: database.url! }, use: (work) => work(database), close: () => database.close() };
  }
  const dataDir = mkdtempSync(join(tmpdir(), "farebox-reseal-"));
  const first = await createDb({ dataDir, pgliteDump: new Blob([readFileSync(inject("pgliteTemplatePath"))]) });
  await first.migrate();
  await first.close();
  return {
    env: { DATA_DIR: dataDir },
    async use(work) {
      const database = await createDb({ dataDir });
      try {
        return await work(database);
      } finally {
        await database.close();
      }
    },
    close: async () => undefined,
  };
}

describe.each(dbKinds)("npm run byok:reseal (%s)", (kind) => {
  it("re-seals rows sealed under the previous master key, is idempotent, and fails naming a row no configured key opens", { timeout: 120_000 }, async () => {
    const shared = await sharedDatabase(kind);
    try {
      const [first, second, third] = await shared.use(async ({ db }) => {
        const accounts = [await createAccount(db), await createAccount(db), await createAccount(db)];
        const before = new ByokStore(db, new KeyVault(buildKeyring(oldKey)));
        await before.put(accounts[0]!, "openai", secrets.openai);
        await before.put(accounts[1]!, "anthropic", secrets.anthropic, true);
        return accounts;
      });
      const rotated = { ...shared.env, FAREBOX_BYOK_MASTER_KEY: newKey, FAREBOX_BYOK_MASTER_KEY_PREVIOUS: oldKey };
      const newId = masterKeyId(Buffer.from(newKey, "hex"));

      const once = await reseal(rotated);
      expect(once).toMatchObject({ code: 0, stderr: "" });
      expect(once.stdout).toBe(`OK: re-sealed 2 rows under master key ${newId}\n`);
      const again = await reseal(rotated);
      expect(again).toMatchObject({ code: 0, stdout: `OK: re-sealed 0 rows under master key ${newId}\n` });

      // the old key is no longer needed: the new one alone opens every row, with its settings kept
      await shared.use(async ({ db }) => {
        const onlyNew = new ByokStore(db, new KeyVault(buildKeyring(newKey)));
        expect((await onlyNew.openAll(first!)).get("openai")?.secret.reveal()).toBe(secrets.openai);
        const anthropic = (await onlyNew.openAll(second!)).get("anthropic");
        expect(anthropic?.secret.reveal()).toBe(secrets.anthropic);
        expect(anthropic?.alwaysUse).toBe(true);
        // a row sealed under a key the operator no longer configures
        await new ByokStore(db, new KeyVault(buildKeyring(strayKey))).put(third!, "mistral", secrets.stray);
      });

      const broken = await reseal(rotated);
      expect(broken.code).toBe(1);
      expect(broken.stdout).toContain(`PROBLEM account ${third}, provider mistral: stored key for provider mistral was sealed with master key`);
      expect(broken.stdout).toContain(`FAILED: re-sealed 0 rows under master key ${newId}; 1 could not be opened with any configured key`);
      for (const secret of Object.values(secrets)) expect(broken.stdout + broken.stderr).not.toContain(secret);

      // once the stray key is configured as a previous key, the row is re-sealed too
      const fixed = await reseal({ ...rotated, FAREBOX_BYOK_MASTER_KEY_PREVIOUS: `${oldKey},${strayKey}` });
      expect(fixed).toMatchObject({ code: 0, stdout: `OK: re-sealed 1 row under master key ${newId}\n` });
    } finally {
      await shared.close();
    }
  });

  it("refuses to run without a master key", { timeout: 60_000 }, async () => {
    const shared = await sharedDatabase(kind);
    try {
      const outcome = await reseal(shared.env);
      expect(outcome.code).toBe(2);
      expect(outcome.stderr).toContain("FAREBOX_BYOK_MASTER_KEY is not set");
    } finally {
      await shared.close();
    }
  });
});
