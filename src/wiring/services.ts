/**
 * The one place services are wired: the logger, API keys, shared rate-limit counters, chain
 * clients, BYOK, metrics, usage rollups and the chat stack, with the chat gateway's "generation
 * settled" port connected to rollups, metrics and BYOK bookkeeping. main.ts and the test
 * harnesses call it; buildApp (app.ts) only turns the result into an HTTP app. Building it
 * performs no I/O (connections open lazily); `close()` drains and releases everything it opened.
 */
import type { Redis } from "ioredis";
import { pino, type Logger } from "pino";
import { settledListener } from "../gateway/settled-hook.js";
import { batchedDestination } from "./log-destination.js";
import { RollupWriter } from "../analytics/rollup-writer.js";
import { buildKeyring, type MasterKeyring } from "../byok/master-keys.js";
import { ByokStore, type ByokCacheOptions } from "../byok/store.js";
import { KeyVault } from "../byok/vault.js";
import type { Config } from "../config/schema.js";
import type { Database } from "../db/client.js";
import { systemClock } from "../domain/clock.js";
import { loadChainRuntime } from "../deposits/load-runtime.js";
import type { ChainRuntime } from "../deposits/runtime.js";
import { createRedisClient } from "../http/plugins/redis-client.js";
import { KeyResolver } from "../keys/index.js";
import { FareboxMetrics } from "../metrics/farebox-metrics.js";
import { ledgerMetricSources } from "../metrics/ledger-sources.js";
import { MetricsRegistry } from "../metrics/registry.js";
import type { ChainListenerStatus } from "../workers/listener-status.js";
import { byokKeysFrom, createChatStack, type ChatStack, type ChatStackOptions } from "./chat-stack.js";
import type { X402Payments } from "../x402/payments.js";

/** Default wait before usage rollups are written. */
export const DEFAULT_ROLLUP_FLUSH_MS = 500;

/** What may be handed in instead of built from the config (tests, and main.ts's shared parts). */
export interface ServiceOptions {
  clock?: () => Date;
  keys?: KeyResolver;
  /** Chain clients and deposit runtimes (built from config when absent). */
  chains?: ChainRuntime;
  /** BYOK master keys; built from FAREBOX_BYOK_MASTER_KEY[_PREVIOUS] when absent; none → BYOK routes answer 503. */
  byokKeyring?: MasterKeyring;
  /** The process's metrics registry, exposed at GET /metrics (a fresh one when absent). */
  metrics?: MetricsRegistry;
  /**
   * How long settled generations' increments gather before the usage rollups are written (ms): a
   * longer wait folds more requests into each write; /activity and /rankings lag by at most this much.
   */
  rollupFlushMs?: number;
  /** How the request path keeps opened BYOK keys (main.ts: tells the other workers of a change). */
  byokCache?: ByokCacheOptions;
  /** Where this process's chain listeners stand (main.ts shares it with them); /metrics shows their lag and last success. */
  chainListeners?: ChainListenerStatus;
  /** Shared counters for rate limits; built from config.redisUrl when absent (none when unset). */
  redis?: Redis;
  /** Where log lines go (stdout when absent); tests capture them. */
  logStream?: NodeJS.WritableStream;
  /** Overrides of the chat stack (tests: a fixed random source, short timeouts and delays). */
  chat?: Omit<ChatStackOptions, "byok" | "onSettled">;
}

/** Every service the HTTP app and the workers use. */
export interface Services {
  config: Config;
  database: Database;
  clock: () => Date;
  logger: Logger;
  keys: KeyResolver;
  /** Shared rate-limit counters; undefined when no Redis is configured. */
  redis: Redis | undefined;
  chains: ChainRuntime;
  byokStore: ByokStore | undefined;
  metricsRegistry: MetricsRegistry;
  chat: ChatStack;
  /** Pay per request (x402); undefined when disabled. */
  x402: X402Payments | undefined;
  /** Drains the chat stack and closes what was opened here (not the database). */
  close(): Promise<void>;
}

/**
 * Wires the services for `config` on `database`. x402 and Solana are imported only when configured:
 * leaving their libraries unloaded took an idle worker from 182 to 151 MB resident (npm run bench:memory).
 */
export async function buildServices(config: Config, database: Database, options: ServiceOptions = {}): Promise<Services> {
  const clock = options.clock ?? systemClock;
  const logOptions = { level: config.logLevel, redact: ["req.headers.authorization"] };
  const logger = pino(logOptions, options.logStream ?? batchedDestination(1));
  const ownRedis =
    options.redis === undefined && config.redisUrl !== undefined
      ? createRedisClient(config.redisUrl, (error) => logger.warn({ error: error.message }, "Redis unavailable: rate limits are not counted"))
      : undefined;
  const keyring = options.byokKeyring ?? (config.byokMasterKey ? buildKeyring(config.byokMasterKey, config.byokPreviousMasterKeys) : undefined);
  const byokStore = keyring ? new ByokStore(database.db, new KeyVault(keyring), clock, options.byokCache) : undefined;
  const metricsRegistry = options.metrics ?? new MetricsRegistry();
  const listeners = options.chainListeners;
  const metrics = new FareboxMetrics(metricsRegistry, {
    ...ledgerMetricSources(database.db),
    ...(listeners ? { chainListeners: () => listeners.snapshots() } : {}),
  });
  const rollups = new RollupWriter(database.db, options.rollupFlushMs ?? DEFAULT_ROLLUP_FLUSH_MS);
  const onBackgroundError = options.chat?.onBackgroundError ?? ((error: unknown) => logger.error({ err: error }, "settlement failed"));
  const chat = createChatStack(config, database.db, clock, {
    ...options.chat,
    ...(byokStore ? { byok: byokKeysFrom(byokStore, config.fees.byok_bps) } : {}),
    onBackgroundError,
    // the "generation settled" port: rollups for /activity and /rankings, metrics, and the
    // BYOK key's last use. It returns the rollup batch's write, shared by every generation in
    // the batch, so no per-request state waits for it.
    onSettled: settledListener((generation) => {
      metrics.recordGeneration(generation);
      const counted = rollups.add(generation);
      if (!(generation.isByok && generation.ok && byokStore)) return counted;
      return Promise.all([counted, byokStore.markUsed(generation.accountId, generation.provider, false)]).then(() => undefined);
    }, onBackgroundError),
  });
  const chains = options.chains ?? (await loadChainRuntime(config.chains, clock));
  return {
    config,
    database,
    clock,
    logger,
    keys: options.keys ?? new KeyResolver(database.db, { clock }),
    redis: options.redis ?? ownRedis,
    chains,
    x402: config.x402.enabled ? (await import("./x402.js")).buildX402(config, database.db, chains, clock) : undefined,
    byokStore,
    metricsRegistry,
    chat,
    async close() {
      await chat.close();
      ownRedis?.disconnect();
    },
  };
}
