import { loadConfig } from "../config/load.js";
import { createDb } from "../db/client.js";
import { auditLedger } from "../ledger/index.js";

/** Operator command (`npm run audit:ledger`): checks sum(entries) = balance and that no hold is orphaned. */
const config = loadConfig();
const database = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
try {
  if (!(await database.isReady())) {
    process.stderr.write("database is not migrated yet: start farebox once first\n");
    process.exitCode = 2;
  } else {
    const report = await auditLedger(database.db);
    for (const problem of report.problems) process.stdout.write(`PROBLEM ${problem}\n`);
    process.stdout.write(`${report.ok ? "OK" : "FAILED"}: ${report.accountsChecked} accounts checked, ${report.problems.length} problems\n`);
    process.exitCode = report.ok ? 0 : 1;
  }
} finally {
  await database.close();
}
