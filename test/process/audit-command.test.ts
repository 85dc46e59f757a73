import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { sql } from "drizzle-orm";
import { describe, expect, inject, it } from "vitest";
import { createDb, queryRows } from "../../src/db/client.js";
import { insertGenerations } from "../../src/gateway/generation-rows.js";
import { createAccount, postEntry } from "../../src/ledger/index.js";
import { generationRecord } from "../support/generation-record.js";

const run = promisify(execFile);
const root = join(import.meta.dirname, "../..");

async function audit(dataDir: string): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await run(process.execPath, ["--import", "tsx", "src/cli/audit-ledger.ts"], {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", DATA_DIR: dataDir },
    });
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, stdout: failed.stdout };
  }
}

describe("the ledger audit command", () => {
  it("passes on a consistent ledger and fails naming the account whose balance drifted", { timeout: 120_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "farebox-audit-"));
    const pgliteDump = new Blob([readFileSync(inject("pgliteTemplatePath"))]);
    const database = await createDb({ dataDir, pgliteDump });
    await database.migrate();
    const accountId = await createAccount(database.db);
    await postEntry(database.db, { accountId, kind: "deposit", amountNano: 10n, idempotencyKey: "d1" });
    // a generation whose usage priced beyond its hold (a failed one here, so that it owes nothing)
    await queryRows(database.db, insertGenerations([{ ...generationRecord("gen-1", accountId), model: null, errorStatus: 502, uncollectedNano: 1_500_000_000n }]));
    await database.close();

    const clean = await audit(dataDir);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toContain("UNCOLLECTED 1.5 USD over 1 generations");
    expect(clean.stdout).toContain("OK: 1 accounts checked, 0 problems");

    const tamper = await createDb({ dataDir });
    await tamper.db.execute(sql`update accounts set balance_nano = 11`);
    await tamper.close();
    const broken = await audit(dataDir);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain(accountId);
  });
});
