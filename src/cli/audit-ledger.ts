import { loadConfig } from "../config/load.js";
import { createDb } from "../db/client.js";
import { nanoToUsdString } from "../domain/money.js";
import { auditLedger } from "../ledger/index.js";

/**
 * Operator command (`npm run audit:ledger`): checks sum(entries) = balance, that no hold is
 * orphaned and that every served generation was charged; reports what could not be collected.
 */
const config = loadConfig();
const database = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
try {
  if (!(await database.isReady())) {
    process.stderr.write("database is not migrated yet: start farebox once first\n");
    process.exitCode = 2;
  } else {
    const report = await auditLedger(database.db);
    for (const problem of report.problems) process.stdout.write(`PROBLEM ${problem}\n`);
    const { generations, amountNano } = report.uncollected;
    if (generations > 0) process.stdout.write(`UNCOLLECTED ${nanoToUsdString(amountNano)} USD over ${generations} generations (usage priced beyond their holds)\n`);
    process.stdout.write(`${report.ok ? "OK" : "FAILED"}: ${report.accountsChecked} accounts checked, ${report.problems.length} problems\n`);
    process.exitCode = report.ok ? 0 : 1;
  }
} finally {
  await database.close();
}
