import { buildKeyring } from "../byok/master-keys.js";
import { ByokStore } from "../byok/store.js";
import { KeyVault } from "../byok/vault.js";
import { ConfigError, loadConfig } from "../config/load.js";
import { createDb } from "../db/client.js";

/**
 * Operator command (`npm run byok:reseal`): after a master key rotation (new key in
 * FAREBOX_BYOK_MASTER_KEY, old ones in FAREBOX_BYOK_MASTER_KEY_PREVIOUS), re-seals every stored
 * provider key under the current master key, so the old one can be removed. Safe to repeat.
 * Exit code 0 when every row is sealed under the current key, 1 when some row could not be
 * opened with any configured key, 2 when the command cannot run at all.
 */
async function reseal(): Promise<number> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 2;
  }
  if (!config.byokMasterKey) {
    process.stderr.write("FAREBOX_BYOK_MASTER_KEY is not set: there is no master key to re-seal under\n");
    return 2;
  }
  const keyring = buildKeyring(config.byokMasterKey, config.byokPreviousMasterKeys);
  const database = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    if (!(await database.isReady())) {
      process.stderr.write("database is not migrated yet: start farebox once first\n");
      return 2;
    }
    const report = await new ByokStore(database.db, new KeyVault(keyring)).rotate();
    for (const row of report.unopenable) {
      process.stdout.write(`PROBLEM account ${row.accountId}, provider ${row.provider}: ${row.reason}\n`);
    }
    const summary = `re-sealed ${report.resealed} ${report.resealed === 1 ? "row" : "rows"} under master key ${keyring.current.id}`;
    if (report.unopenable.length === 0) {
      process.stdout.write(`OK: ${summary}\n`);
      return 0;
    }
    process.stdout.write(
      `FAILED: ${summary}; ${report.unopenable.length} could not be opened with any configured key ` +
        "(add the master key that sealed them to FAREBOX_BYOK_MASTER_KEY_PREVIOUS and run again)\n",
    );
    return 1;
  } finally {
    await database.close();
  }
}

process.exitCode = await reseal();
