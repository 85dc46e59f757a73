/**
 * A gateway process as main.ts starts it: the configuration loaded and checked (a bad one is
 * listed on stderr, exit 1), then one gateway (serve.ts), alone or as a worker of the cluster.
 */
import cluster from "node:cluster";
import { ConfigError, loadConfig } from "../config/load.js";
import { announceByokChange, onByokChangeElsewhere, onEveryWorkerListening } from "./cluster-worker.js";
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
  if (cluster.isWorker) {
    await startGateway(config, {
      processes: `${count} workers on PostgreSQL`,
      worker: cluster.worker!.id,
      byokLink: { announce: announceByokChange, onRemoteChange: onByokChangeElsewhere },
      onEveryWorkerListening,
    });
    return;
  }
  const processes = config.databaseUrl ? "1 on PostgreSQL (FAREBOX_WORKERS=1)" : "1 (embedded PGlite is one process; set DATABASE_URL for one per core)";
  await startGateway(config, { processes });
}
