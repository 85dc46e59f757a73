import { pino } from "pino";
import { buildApp } from "./app.js";
import { isUsable } from "./catalog/live-catalog.js";
import { describeDatabase, startupSummary } from "./config/startup-summary.js";
import { ConfigError, loadConfig } from "./config/load.js";
import { createDb } from "./db/client.js";
import { expireHolds } from "./ledger/index.js";
import { MODEL_LISTERS } from "./providers/registry.js";
import { MetricsRegistry } from "./metrics/registry.js";
import { runCatalogDiscovery } from "./workers/catalog-discovery.js";
import { runPriceUpdate } from "./workers/price-update.js";
import { startEvmListeners } from "./workers/evm-listeners.js";
import { ChainListenerStatus } from "./workers/listener-status.js";
import { runHoldExpiry } from "./workers/hold-expiry.js";
import { startSolanaListener } from "./workers/solana-deposits.js";
import { buildServices } from "./wiring/services.js";

// with the 30 s TTL of a lease nobody renews, a dead process's reservations are freed within 40 s
const HOLD_SWEEP_INTERVAL_MS = 10_000;

/** Process entry: config → db → migrations → services → app → listen → workers; SIGTERM drains and closes. */
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
  // The app's logger exists only once the app is built; start-up steps before it log here.
  const startupLog = pino({ level: config.logLevel });
  const opening = config.databaseUrl ? "connecting" : "opening (a first start creates it, which can take several seconds)";
  startupLog.info({ database: describeDatabase(config) }, `database: ${opening}`);
  const database = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  startupLog.info("database: applying migrations");
  const migratingSince = performance.now();
  await database.migrate();
  startupLog.info({ ms: Math.round(performance.now() - migratingSince) }, "database: migrations applied");
  await expireHolds(database.db, new Date());

  const clock = () => new Date();
  const listenerStatus = new ChainListenerStatus(clock);
  // the process's own metrics (CPU, memory, GC, event-loop lag) start observers: here, not on import
  const metrics = new MetricsRegistry({ processMetrics: true });
  const services = buildServices(config, database, { clock, chainListeners: listenerStatus, metrics });
  const { chains } = services;
  const { catalog } = services.chat;
  const app = await buildApp({ services });
  const workers = new AbortController();
  const running = [
    runHoldExpiry({ db: database.db, intervalMs: HOLD_SWEEP_INTERVAL_MS, clock, signal: workers.signal, log: app.log }),
    ...startEvmListeners({ db: database.db, chains: chains.evm, signal: workers.signal, now: clock, log: app.log, status: listenerStatus }),
  ];
  if (chains.solana) {
    running.push(
      startSolanaListener({ db: database.db, runtime: chains.solana, signal: workers.signal, now: clock, log: app.log, status: listenerStatus }),
    );
  }
  if ([...catalog.providers.values()].some((provider) => provider.discover)) {
    // at start and every hour; an upstream that is down leaves the shipped catalog serving
    running.push(runCatalogDiscovery({ catalog, listers: MODEL_LISTERS, fetch: globalThis.fetch, signal: workers.signal, log: app.log }));
  }
  if (config.catalog.update_prices === "daily") {
    // opt-in: the only network call for prices; changes are logged and counted in /metrics
    running.push(runPriceUpdate({ catalog, fetch: globalThis.fetch, signal: workers.signal, log: app.log, metrics, now: clock }));
  }
  const address = await app.listen({ port: config.port, host: config.host });
  const usable = [...catalog.models.values()].filter(isUsable).map((model) => model.id);
  app.log.info({ storage: database.dialect, ...startupSummary(config, address, usable, catalog.models.size) }, "farebox ready");
  if (usable.length === 0) {
    app.log.warn("no model has a provider key yet: set providers.<slug>.api_key in the config file (or let accounts bring their own keys)");
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, "draining in-flight requests");
    workers.abort();
    await app.close();
    await Promise.allSettled(running);
    await database.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

await main();
