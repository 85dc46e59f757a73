import { availableParallelism } from "node:os";
import { dirname } from "node:path";
import { processPlan } from "./config/process-count.js";
import { clusterWorkerId } from "./wiring/cluster-worker.js";
import { mapBundleStackTraces } from "./wiring/source-mapped-stacks.js";

/**
 * Process entry: one gateway process (config → database → migrations → app → listen → workers),
 * or on PostgreSQL up to one per core, the first of them forking the others and handing them their
 * share of the connections (wiring/cluster-primary.ts); SIGTERM drains and closes.
 */
async function main(): Promise<void> {
  const plan = processPlan(process.env, availableParallelism());
  // the workers wanted from the start are forked before this process loads the gateway, so that they load while it does
  const primary = plan.most > 1 && clusterWorkerId() === undefined ? (await import("./wiring/cluster-primary.js")).ClusterPrimary.start(plan, process.env) : undefined;
  // imported once stack traces are mapped, so that a failure while loading names src/ lines too
  const { runGatewayProcess } = await import("./wiring/gateway-process.js");
  await runGatewayProcess(plan, primary);
}

// the compiled server's stack traces name src/ lines (npm start runs dist/server/main.js)
if (process.argv[1]) mapBundleStackTraces(dirname(process.argv[1]));
await main();
