import Fastify, { LogController, type FastifyInstance } from "fastify";
import type { Config } from "./config/schema.js";
import type { Database } from "./db/client.js";
import { envelopeServerOptions, registerErrorHandling } from "./http/errors.js";
import { serverTimeouts } from "./http/plugins/timeouts.js";
import { registerAnonymousRateLimit } from "./http/plugins/anonymous-rate-limit.js";
import { createRedisClient } from "./http/plugins/redis-client.js";
import { registerKeyRateLimit } from "./http/plugins/key-rate-limit.js";
import { registerRequestLog } from "./http/plugins/request-log.js";
import { registerKeyRateLimitRoutes } from "./http/routes/key-rate-limit.js";
import { KeyResolver, MemoryRequestCounter, RedisRequestCounter } from "./keys/index.js";
import type { Redis } from "ioredis";
import { registerAdminRoutes } from "./http/routes/admin.js";
import { registerCreditRoutes } from "./http/routes/credits.js";
import type { RouteDeps } from "./http/routes/deps.js";
import { registerHealthRoutes } from "./http/routes/health.js";
import { registerKeyRoutes } from "./http/routes/keys.js";
import { registerDepositRoutes } from "./http/routes/deposits.js";
import { registerWalletAuthRoutes } from "./http/routes/wallet-auth.js";
import { walletRouteDeps } from "./http/routes/wallet-deps.js";
import { createChainRuntime, withSolana, type ChainRuntime } from "./deposits/runtime.js";
import { byokKeysFrom, createChatStack, type ChatStack } from "./gateway/compose.js";
import type { LiveCatalog } from "./catalog/live-catalog.js";
import { registerChatRoutes } from "./http/routes/chat-completions.js";
import { registerGenerationRoutes } from "./http/routes/generation.js";
import { registerModelRoutes } from "./http/routes/models.js";
import type { MasterKeyring } from "./byok/master-keys.js";
import { ByokStore } from "./byok/store.js";
import { KeyVault } from "./byok/vault.js";
import { MetricsRegistry } from "./metrics/registry.js";
import { FareboxMetrics } from "./metrics/farebox-metrics.js";
import { ledgerMetricSources } from "./metrics/ledger-sources.js";
import { RollupWriter } from "./analytics/rollup-writer.js";
import { registerUsageInsightRoutes } from "./http/routes/usage-insights.js";
import { registerMetricsRoute } from "./http/routes/metrics.js";
import { API_PREFIXES } from "./http/api-prefixes.js";
import { registerModelLookupRoutes } from "./http/routes/model-lookup.js";
import { registerDatasetRoutes } from "./http/routes/datasets.js";
import { callerKey, registerAuth, requireKey } from "./http/plugins/auth.js";
import type { ChainListenerStatus } from "./workers/listener-status.js";
import { registerDashboard } from "./http/plugins/dashboard.js";
import { registerSessionRenewalRoute } from "./http/routes/session-renewal.js";
import { registerAccountOverviewRoutes } from "./http/routes/account-overview.js";
import { registerRecentGenerationsRoute } from "./http/routes/recent-generations.js";

export interface AppDeps {
  config: Config;
  database: Database;
  clock?: () => Date;
  keys?: KeyResolver;
  /** Chain clients and deposit runtimes; built from config when absent (main.ts shares one with the listeners). */
  chains?: ChainRuntime;
  /** The chat use case; built from config and database when absent (tests inject their own). */
  chat?: ChatStack;
  /** The catalog the chat stack serves (main.ts passes the one its discovery worker updates). */
  catalog?: LiveCatalog;
  /** How long a stream waits for its upstream before SSE keep-alive comments start (ms). */
  streamKeepAliveMs?: number;
  /** BYOK master keys (FAREBOX_BYOK_MASTER_KEY[_PREVIOUS]); absent → BYOK routes answer 403 naming the setting. */
  byokKeyring?: MasterKeyring;
  /** The process's metrics registry, exposed at GET /metrics (a fresh one when absent). */
  metrics?: MetricsRegistry;
  /**
   * How long settled generations' increments gather before the usage rollups are written (ms): a
   * longer wait folds more requests into each write; /activity and /rankings lag by at most this much.
   */
  rollupFlushMs?: number;
  /** Where this process's chain listeners stand (main.ts shares it with them); /metrics shows their lag and last success. */
  chainListeners?: ChainListenerStatus;
  /** Shared counters for rate limits; built from config.redisUrl when absent (none when unset). */
  redis?: Redis;
  /** Where log lines go (stdout when absent); tests capture them. */
  logStream?: NodeJS.WritableStream;
  /** The built dashboard served at `/` (default: dist/web, written by `npm start`); nothing is served when it is not built. */
  dashboardRoot?: string;
}

/** Default wait before usage rollups are written. */
export const DEFAULT_ROLLUP_FLUSH_MS = 500;

/** Largest accepted request body: room for a few base64 images in a chat request. */
export const BODY_LIMIT_BYTES = 16 * 1024 * 1024;

/** Builds the HTTP app with every plugin and route registered. It never listens: main.ts does. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: deps.config.logLevel, redact: ["req.headers.authorization"], ...(deps.logStream ? { stream: deps.logStream } : {}) },
    bodyLimit: BODY_LIMIT_BYTES,
    // one line per request, written by the request-log plugin
    logController: new LogController({ disableRequestLogging: true }),
    forceCloseConnections: "idle",
    return503OnClosing: true,
    ...envelopeServerOptions,
    trustProxy: deps.config.server.trust_proxy,
    ...serverTimeouts(deps.config.server),
  });
  const clock = deps.clock ?? (() => new Date());
  const routeDeps: RouteDeps = {
    config: deps.config,
    db: deps.database.db,
    clock,
    keys: deps.keys ?? new KeyResolver(deps.database.db, { clock }),
  };
  registerErrorHandling(app);
  registerRequestLog(app);
  const ownRedis =
    deps.redis === undefined && deps.config.redisUrl !== undefined
      ? createRedisClient(deps.config.redisUrl, (error) => app.log.warn({ error: error.message }, "Redis unavailable: rate limits are not counted"))
      : undefined;
  const redis = deps.redis ?? ownRedis;
  if (ownRedis) app.addHook("onClose", async () => ownRedis.disconnect());
  await registerAnonymousRateLimit(app, deps.config.server.rate_limits, redis);
  // Per-key limits are counted in Redis when there is one (every process shares the budget), else in this process.
  registerKeyRateLimit(app, redis ? new RedisRequestCounter(redis) : new MemoryRequestCounter(), () => clock().getTime());
  registerAuth(app);
  registerHealthRoutes(app, deps.database);
  const chains = deps.chains ?? withSolana(createChainRuntime(deps.config.chains.evm, clock), deps.config.chains.solana, clock);
  const wallet = walletRouteDeps(deps.config, chains);
  const metricsRegistry = deps.metrics ?? new MetricsRegistry();
  const listeners = deps.chainListeners;
  const metrics = new FareboxMetrics(metricsRegistry, {
    ...ledgerMetricSources(deps.database.db),
    ...(listeners ? { chainListeners: () => listeners.snapshots() } : {}),
  });
  const byokStore = deps.byokKeyring ? new ByokStore(deps.database.db, new KeyVault(deps.byokKeyring), clock) : undefined;
  const rollups = new RollupWriter(deps.database.db, deps.rollupFlushMs ?? DEFAULT_ROLLUP_FLUSH_MS);
  const chat =
    deps.chat ??
    createChatStack(deps.config, deps.database.db, clock, {
      ...(byokStore ? { byok: byokKeysFrom(byokStore, deps.config.fees.byok_bps) } : {}),
      ...(deps.catalog ? { catalog: deps.catalog } : {}),
      onBackgroundError: (error) => app.log.error({ err: error }, "settlement failed"),
      // the "generation settled" hook: rollups for /activity and /rankings, and metrics. It
      // returns the rollup batch's write, shared by every generation in the batch, so no
      // per-request state waits for it.
      onSettled: (generation) => {
        metrics.recordGeneration(generation);
        const counted = rollups.add(generation);
        if (!(generation.isByok && generation.ok && byokStore)) return counted;
        return Promise.all([counted, byokStore.markUsed(generation.accountId, generation.provider, false)]).then(() => undefined);
      },
    });
  app.addHook("onClose", () => chat.close());
  registerMetricsRoute(app, { registry: metricsRegistry });
  // every API route answers under OpenRouter's base path and under /v1
  const registerApi = async (api: FastifyInstance) => {
    registerKeyRoutes(api, routeDeps);
    registerKeyRateLimitRoutes(api, routeDeps);
    registerCreditRoutes(api, routeDeps);
    registerAdminRoutes(api, routeDeps);
    registerWalletAuthRoutes(api, routeDeps, wallet);
    registerDepositRoutes(api, routeDeps, wallet);
    registerSessionRenewalRoute(api, routeDeps, wallet.sessionTtlMs);
    registerAccountOverviewRoutes(api, routeDeps);
    registerRecentGenerationsRoute(api, routeDeps);
    registerChatRoutes(api, { gateway: chat.gateway, keys: routeDeps.keys, clock, keepAliveMs: deps.streamKeepAliveMs });
    registerModelRoutes(api, { catalog: chat.catalog, health: chat.health, nowMs: () => clock().getTime() });
    registerModelLookupRoutes(api, {
      catalog: chat.catalog,
      preHandler: requireKey(routeDeps.keys, ["inference", "management"]),
      byokProviders: async (request) =>
        new Set(byokStore ? (await byokStore.list(callerKey(request).accountId)).map((summary) => summary.provider) : []),
    });
    registerGenerationRoutes(api, { generations: chat.generations, keys: routeDeps.keys });
    registerDatasetRoutes(api, { db: deps.database.db, now: clock });
    registerUsageInsightRoutes(api, routeDeps, {
      byokStore,
      providerSlugs: [...chat.catalog.providers.keys()],
      providerName: (slug) => chat.catalog.providers.get(slug)?.name ?? slug,
    });
  };
  for (const prefix of API_PREFIXES) await app.register(registerApi, { prefix });
  await registerDashboard(app, deps.dashboardRoot);
  await app.ready();
  return app;
}
