import { loadConfig } from "../config/load.js";
import { createDb } from "../db/client.js";
import { nanoToUsdString } from "../domain/money.js";
import { auditLedger } from "../ledger/index.js";
import { runChainAudit, wantsChainAudit } from "../deposits/chain-audit-command.js";

/**
 * Operator command (`npm run audit:ledger`): checks sum(entries) = balance, that no hold is
 * orphaned and that every served generation was charged; reports what could not be collected.
 * With `-- --chain` it also reconciles credited deposits with the configured chains.
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
    let ok = report.ok;
    if (wantsChainAudit(process.argv)) {
      const chain = await runChainAudit(database.db, config.chains, () => new Date());
      for (const problem of chain.problems) process.stdout.write(`PROBLEM ${problem}\n`);
      for (const reversal of chain.reversed) process.stdout.write(`REVERSED ${reversal}\n`);
      process.stdout.write(`${chain.ok ? "OK" : "FAILED"}: ${chain.depositsChecked} credited deposits re-read on chain, ${chain.blocksSampled} recent blocks and ${chain.signaturesSampled} Solana signatures sampled, ${chain.problems.length} problems\n`);
      ok = ok && chain.ok;
    }
    process.exitCode = ok ? 0 : 1;
  }
} finally {
  await database.close();
}
