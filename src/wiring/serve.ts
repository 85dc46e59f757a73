/**
 * One gateway process: services → app → listen → workers, until SIGTERM or SIGINT drains it.
 * gateway-process.ts runs it alone (embedded PGlite, or one worker) or as each process of a
 * cluster (cluster-primary.ts).
 */
import { pino } from "pino";
import { buildApp } from "../app.js";
import { isUsable } from "../catalog/live-catalog.js";
import { describeDatabase, startupSummary } from "../config/startup-summary.js";
import type { Config } from "../config/schema.js";
import { createDb, type Database } from "../db/client.js";
import { MODEL_LISTERS } from "../providers/registry.js";
import { MetricsRegistry } from "../metrics/registry.js";
import { runCatalogDiscovery } from "../workers/catalog-discovery.js";
import { runPriceUpdate } from "../workers/price-update.js";
import { ChainListenerStatus } from "../workers/listener-status.js";
import { runHoldExpiry } from "../workers/hold-expiry.js";
import { buildServices } from "./services.js";
import { systemClock } from "../domain/clock.js";
import type { ByokCacheOptions } from "../byok/store.js";
import { ownPort, type ConnectionSource } from "./connection-source.js";

// with the 30 s TTL of a lease nobody renews, a dead process's reservations are freed within 40 s
const HOLD_SWEEP_INTERVAL_MS = 10_000;

/** How this process fits among the others serving the same port. */
export interface ServeOptions {
  /** What the start-up summary says about processes (e.g. "2 workers on PostgreSQL"). */
  processes: string;
  /** Worker number within the cluster, shown in the summary; undefined when running alone. */
  worker?: number;
  /** The BYOK cache's link to the other workers: this process's changes announced, theirs received. */
  byokLink?: { announce: NonNullable<ByokCacheOptions["onChange"]>; onRemoteChange: (forget: (accountId: string) => void) => void };
  /** In a cluster: registers what to call once every worker listens; /ready answers 503 until then. */
  onEveryWorkerListening?: (listening: () => void) => void;
  /** Where connections come from: the configured port by default; in a cluster, the primary. */
  connections?: ConnectionSource;
}

/**
 * Opens the database, applies the migrations (several processes starting at once take turns:
 * the first migrates, the others find nothing left to do) and serves; once it listens, the hold
 * expiry frees the reservations a dead process left. Says what it is doing meanwhile: a first start
 * on PGlite takes seconds.
 */
export async function startGateway(config: Config, options: ServeOptions): Promise<void> {
  // The app's logger exists only once the app is built; start-up steps before it log here.
  const startupLog = pino({ level: config.logLevel }).child(options.worker === undefined ? {} : { worker: options.worker });
  const opening = config.databaseUrl ? "connecting" : "opening (a first start creates it, which can take several seconds)";
  startupLog.info({ database: describeDatabase(config) }, `database: ${opening}`);
  const database = await createDb({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    onPgliteTemplateError: (error) => startupLog.warn({ err: error }, "database: the template npm install made could not be loaded; initdb made the database instead"),
  });
  startupLog.info("database: applying migrations");
  const migratingSince = performance.now();
  await database.migrate();
  startupLog.info({ ms: Math.round(performance.now() - migratingSince) }, "database: migrations applied");
  await serve(config, database, options);
}

/** Serves on `database` (migrated) until a signal drains the process (and the others it started), then exits. */
async function serve(config: Config, database: Database, options: ServeOptions): Promise<void> {
  const clock = systemClock;
  const listenerStatus = new ChainListenerStatus(clock);
  // the process's own metrics (CPU, memory, GC, event-loop lag) start observers: here, not on import
  const metrics = new MetricsRegistry({ processMetrics: true });
  const link = options.byokLink;
  const services = await buildServices(config, database, { clock, chainListeners: listenerStatus, metrics, ...(link ? { byokCache: { onChange: link.announce } } : {}) });
  const store = services.byokStore;
  if (store && link) link.onRemoteChange((accountId) => store.forget(accountId));
  const { chains } = services;
  const { catalog } = services.chat;
  let everyWorkerListening = options.onEveryWorkerListening === undefined;
  options.onEveryWorkerListening?.(() => (everyWorkerListening = true));
  const connections = options.connections ?? ownPort(config);
  const app = await buildApp({ services, servingAlongside: () => everyWorkerListening, connectionsEnded: () => connections.ended() });
  const log = app.log;
  const workers = new AbortController();
  const running: Promise<void>[] = [];
  // the chain listeners' modules (and @solana/web3.js) are imported only where chains are configured
  if (chains.evm.length > 0) {
    const { startEvmListeners } = await import("../workers/evm-listeners.js");
    running.push(...startEvmListeners({ db: database.db, chains: chains.evm, signal: workers.signal, now: clock, log, status: listenerStatus }));
  }
  if (chains.solana) {
    const { startSolanaListener } = await import("../workers/solana-deposits.js");
    running.push(startSolanaListener({ db: database.db, runtime: chains.solana, signal: workers.signal, now: clock, log, status: listenerStatus }));
  }
  if ([...catalog.providers.values()].some((provider) => provider.discover)) {
    // at start and every hour; an upstream that is down leaves the shipped catalog serving
    running.push(runCatalogDiscovery({ catalog, listers: MODEL_LISTERS, fetch: globalThis.fetch, signal: workers.signal, log }));
  }
  if (config.catalog.update_prices === "daily") {
    // opt-in: the only network call for prices; changes are logged and counted in /metrics
    running.push(runPriceUpdate({ catalog, fetch: globalThis.fetch, signal: workers.signal, log, metrics, now: clock }));
  }
  const address = await connections.open(app);
  // its first pass frees the holds a dead process left; after listening, because on PGlite a query runs
  // on this thread and the first touch of the holds took ≈0.1 s of the start (a stale hold only keeps
  // its amount unspendable, for the moment until this pass)
  running.push(runHoldExpiry({ db: database.db, intervalMs: HOLD_SWEEP_INTERVAL_MS, clock, signal: workers.signal, log }));
  const usable = [...catalog.models.values()].filter(isUsable).map((model) => model.id);
  const summary = startupSummary(config, address, usable, catalog.models.size);
  app.log.info({ storage: database.dialect, ...summary, processes: options.processes, ...(options.worker === undefined ? {} : { worker: options.worker }) }, "farebox ready");
  if (usable.length === 0 && (options.worker ?? 1) === 1) {
    app.log.warn("no model has a provider key yet: set providers.<slug>.api_key in the config file (or let accounts bring their own keys)");
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, "draining in-flight requests");
    workers.abort();
    const othersEnded = connections.close();
    await app.close();
    const exitCode = await othersEnded;
    await Promise.allSettled(running);
    await database.close();
    // the log's last buffered lines (the drain's included) are written before the process ends; a
    // stdout nobody reads does not hold the exit (pino's exit handler then writes what is left)
    await new Promise<void>((resolve) => {
      services.logger.flush(() => resolve());
      setTimeout(resolve, 1_000).unref();
    });
    process.exit(exitCode);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}
