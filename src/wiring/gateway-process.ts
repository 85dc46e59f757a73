/**
 * A gateway process as main.ts starts it: the configuration loaded and checked (a bad one is
 * listed on stderr, exit 1), then one gateway (serve.ts): alone, or on PostgreSQL with one per
 * core, as the cluster's primary (which forks the others) or as one of its workers.
 */
import { pino } from "pino";
import { ConfigError, loadConfig } from "../config/load.js";
import { ClusterPrimary } from "./cluster-primary.js";
import { clusterWorkerId, onEveryWorkerListening, stopWhenPrimaryGone, workerByokLink, workerConnections } from "./cluster-worker.js";
import { startGateway } from "./serve.js";

/** Runs this process's gateway; `count` is how many gateway processes serve the port. */
export async function runGatewayProcess(count: number): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const processes = `${count} workers on PostgreSQL`;
  const worker = clusterWorkerId();
  if (worker !== undefined) {
    stopWhenPrimaryGone();
    await startGateway(config, { processes, worker, byokLink: workerByokLink, onEveryWorkerListening, connections: workerConnections() });
    return;
  }
  if (count > 1) {
    const primary = new ClusterPrimary(count, config, pino({ level: config.logLevel }).child({ worker: 1 }));
    primary.start();
    await startGateway(config, {
      processes,
      worker: 1,
      byokLink: primary.byokLink,
      onEveryWorkerListening: (listening) => primary.onEveryWorkerListening(listening),
      connections: primary.connections,
    });
    return;
  }
  const alone = config.databaseUrl ? "1 on PostgreSQL (FAREBOX_WORKERS=1)" : "1 (embedded PGlite is one process; set DATABASE_URL for one per core)";
  await startGateway(config, { processes: alone });
}
