/**
 * A gateway process as main.ts starts it: the configuration loaded and checked (a bad one is
 * listed on stderr, exit 1), then one gateway (serve.ts): alone, or on PostgreSQL with up to one
 * per core, as the cluster's primary (which forks the others) or as one of its workers.
 */
import { ConfigError, loadConfig } from "../config/load.js";
import type { ProcessPlan } from "../config/process-count.js";
import type { ClusterPrimary } from "./cluster-primary.js";
import { clusterWorkerId, onEveryWorkerListening, stopWhenPrimaryGone, workerByokLink, workerConnections } from "./cluster-worker.js";
import { startGateway } from "./serve.js";

/**
 * Runs this process's gateway; `plan` says how many gateway processes serve the port, `primary` the
 * cluster this process leads (the workers wanted from the start already forked by main.ts).
 */
export async function runGatewayProcess(plan: ProcessPlan, primary?: ClusterPrimary): Promise<void> {
  const worker = clusterWorkerId();
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      // a worker reads the primary's environment and files: the primary reports the same problems
      if (worker === undefined) process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const processes = plan.followsLoad ? `1 to ${plan.most} workers on PostgreSQL, as the load needs` : `${plan.most} workers on PostgreSQL`;
  if (worker !== undefined) {
    stopWhenPrimaryGone();
    await startGateway(config, { processes, worker, byokLink: workerByokLink, onEveryWorkerListening, connections: workerConnections() });
    return;
  }
  if (primary) {
    await startGateway(config, {
      processes,
      worker: 1,
      byokLink: primary.byokLink,
      onEveryWorkerListening: (listening) => primary.onEveryWorkerListening(listening),
      connections: primary.connectionsOn(config),
    });
    return;
  }
  const alone = config.databaseUrl ? "1 on PostgreSQL (FAREBOX_WORKERS=1)" : "1 (embedded PGlite is one process; set DATABASE_URL for one per core)";
  await startGateway(config, { processes: alone });
}
