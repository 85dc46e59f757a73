import cluster from "node:cluster";
import { availableParallelism } from "node:os";
import { dirname } from "node:path";
import { logLevelOf, processCount } from "./config/process-count.js";
import { mapBundleStackTraces } from "./wiring/source-mapped-stacks.js";

/**
 * Process entry: one gateway process (config → database → migrations → app → listen → workers),
 * or on PostgreSQL one per core (node:cluster) sharing the port; SIGTERM drains and closes. The
 * cluster's primary reads only the environment variables that choose the worker count and loads
 * only the cluster code (its memory stays near a bare node's); each gateway process loads and
 * checks the configuration and imports the gateway itself.
 */
async function main(): Promise<void> {
  const count = processCount(process.env, availableParallelism());
  if (cluster.isPrimary && count > 1) {
    const { runPrimary } = await import("./wiring/cluster-primary.js");
    runPrimary(count, logLevelOf(process.env));
    return;
  }
  const { runGatewayProcess } = await import("./wiring/gateway-process.js");
  await runGatewayProcess(count);
}

// the compiled server's stack traces name src/ lines (npm start runs dist/server/main.js)
if (process.argv[1]) mapBundleStackTraces(dirname(process.argv[1]));
await main();
