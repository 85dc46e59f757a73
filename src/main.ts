import cluster from "node:cluster";
import { availableParallelism } from "node:os";
import { dirname } from "node:path";
import { pino } from "pino";
import { ConfigError, loadConfig } from "./config/load.js";
import type { Config } from "./config/schema.js";
import { mapBundleStackTraces } from "./wiring/source-mapped-stacks.js";

/** How many gateway processes serve: embedded PGlite cannot be shared, so it runs one. */
function workerCount(config: Config): number {
  if (!config.databaseUrl) return 1;
  return config.workers === "auto" ? availableParallelism() : config.workers;
}

/**
 * Process entry: config → one gateway process (database → migrations → app → listen → workers),
 * or on PostgreSQL one per core (node:cluster) sharing the port; SIGTERM drains and closes. The
 * cluster's primary loads only the configuration and the cluster code (its memory stays small);
 * the gateway is imported where it runs.
 */
async function main(): Promise<void> {
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
  const count = workerCount(config);
  if (cluster.isPrimary && count > 1) {
    const { runPrimary } = await import("./wiring/cluster-primary.js");
    const log = pino({ level: config.logLevel });
    log.info({ workers: count }, `starting ${count} workers on PostgreSQL (one per core; FAREBOX_WORKERS sets another count)`);
    runPrimary(count, log);
    return;
  }
  const { startGateway } = await import("./wiring/serve.js");
  if (cluster.isWorker) {
    const { announceByokChange, onByokChangeElsewhere } = await import("./wiring/cluster-worker.js");
    await startGateway(config, {
      processes: `${count} workers on PostgreSQL`,
      worker: cluster.worker!.id,
      byokLink: { announce: announceByokChange, onRemoteChange: onByokChangeElsewhere },
    });
    return;
  }
  const processes = config.databaseUrl ? "1 on PostgreSQL (FAREBOX_WORKERS=1)" : "1 (embedded PGlite is one process; set DATABASE_URL for one per core)";
  await startGateway(config, { processes });
}

// the compiled server's stack traces name src/ lines (npm start runs dist/server/main.js)
if (process.argv[1]) mapBundleStackTraces(dirname(process.argv[1]));
await main();
