import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from "fastify";
import { envelopeServerOptions, registerErrorHandling } from "./http/errors.js";
import { serverTimeouts } from "./http/plugins/timeouts.js";
import { registerAnonymousRateLimit } from "./http/plugins/anonymous-rate-limit.js";
import { registerKeyRateLimit } from "./http/plugins/key-rate-limit.js";
import { registerRequestLog } from "./http/plugins/request-log.js";
import { registerKeyRateLimitRoutes } from "./http/routes/key-rate-limit.js";
import { MemoryRequestCounter, RedisRequestCounter } from "./keys/index.js";
import { registerAdminRoutes } from "./http/routes/admin.js";
import { registerCreditRoutes } from "./http/routes/credits.js";
import type { RouteDeps } from "./http/routes/deps.js";
import { registerHealthRoutes } from "./http/routes/health.js";
import { registerKeyRoutes } from "./http/routes/keys.js";
import { registerDepositRoutes } from "./http/routes/deposits.js";
import { registerRecentBlockhashRoute } from "./http/routes/recent-blockhash.js";
import { registerWalletAuthRoutes } from "./http/routes/wallet-auth.js";
import { walletRouteDeps } from "./http/routes/wallet-deps.js";
import { registerChatRoutes } from "./http/routes/chat-completions.js";
import { registerCompletionRoutes } from "./http/routes/completions.js";
import { registerResponsesRoutes } from "./http/routes/responses.js";
import { registerEmbeddingsRoutes } from "./http/routes/embeddings.js";
import { inferenceAccess } from "./http/inference-access.js";
import { registerMessagesRoutes } from "./http/routes/messages.js";
import { registerGenerationRoutes } from "./http/routes/generation.js";
import { registerModelRoutes } from "./http/routes/models.js";
import { registerUsageInsightRoutes } from "./http/routes/usage-insights.js";
import { registerMetricsRoute } from "./http/routes/metrics.js";
import { API_PREFIXES } from "./http/api-prefixes.js";
import { epochMs } from "./domain/clock.js";
import { registerModelLookupRoutes } from "./http/routes/model-lookup.js";
import { registerDatasetRoutes } from "./http/routes/datasets.js";
import { callerKey, registerAuth, requireKey } from "./http/plugins/auth.js";
import { registerDashboard } from "./http/plugins/dashboard.js";
import { registerSessionRenewalRoute } from "./http/routes/session-renewal.js";
import { registerAccountOverviewRoutes } from "./http/routes/account-overview.js";
import { registerRecentGenerationsRoute } from "./http/routes/recent-generations.js";
import type { Services } from "./wiring/services.js";
import { registerRouteSchemas, zodSchemaController } from "./http/openapi/route-schemas.js";
import { registerApiDocument } from "./http/openapi/api-document.js";

/** What the app is built from: the wired services (wiring/services.ts) and HTTP-only settings. */
export interface AppDeps {
  services: Services;
  /** How long a stream waits for its upstream before SSE keep-alive comments start (ms). */
  streamKeepAliveMs?: number;
  /** The built dashboard served at `/` (default: dist/web, written by `npm start`); nothing is served when it is not built. */
  dashboardRoot?: string;
  /** False while other processes meant to serve the same port alongside this one do not yet (a cluster starting): /ready answers 503. */
  servingAlongside?: () => boolean;
  /** Resolves once every connection handed to the app from elsewhere has ended (a cluster's, see wiring/handed-connections.ts). */
  connectionsEnded?: () => Promise<void>;
}

/** Largest accepted request body: room for a few base64 images in a chat request. */
export const BODY_LIMIT_BYTES = 16 * 1024 * 1024;

/** Builds the HTTP app with every plugin and route registered. It never listens: main.ts does. */
export async function buildApp({ services, streamKeepAliveMs, dashboardRoot, servingAlongside, connectionsEnded }: AppDeps): Promise<FastifyInstance> {
  const { config, database, clock, chat, redis } = services;
  const logger: FastifyBaseLogger = services.logger;
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: BODY_LIMIT_BYTES,
    // one line per request, written by the request-log plugin
    logController: new LogController({ disableRequestLogging: true }),
    forceCloseConnections: "idle",
    return503OnClosing: true,
    schemaController: zodSchemaController,
    ...envelopeServerOptions,
    trustProxy: config.server.trust_proxy,
    ...serverTimeouts(config.server),
  });
  const routeDeps: RouteDeps = { config, db: database.db, clock, keys: services.keys };
  registerErrorHandling(app);
  registerRequestLog(app);
  await registerAnonymousRateLimit(app, config.server.rate_limits, redis);
  // Per-key limits are counted in Redis when there is one (every process shares the budget), else in this process.
  registerKeyRateLimit(app, redis ? new RedisRequestCounter(redis) : new MemoryRequestCounter(), epochMs(clock));
  registerAuth(app);
  // after the per-key rate limit: each route's input check runs after its key check and the limit
  registerRouteSchemas(app);
  await registerApiDocument(app);
  registerHealthRoutes(app, database, servingAlongside);
  const wallet = walletRouteDeps(config, services.chains);
  const { byokStore } = services;
  app.addHook("onClose", () => services.close());
  // onClose hooks run last registered first: this one after fastify's own (which stops routing) and before the services close
  if (connectionsEnded) app.addHook("onClose", connectionsEnded);
  registerMetricsRoute(app, { registry: services.metricsRegistry });
  // a key, or with x402 a payment in the request, for every inference route
  const inference = inferenceAccess({ keys: services.keys, x402: services.x402 });
  // every API route answers under OpenRouter's base path and under /v1
  const registerApi = async (api: FastifyInstance) => {
    registerKeyRoutes(api, routeDeps);
    registerKeyRateLimitRoutes(api, routeDeps);
    registerCreditRoutes(api, routeDeps);
    registerAdminRoutes(api, routeDeps);
    registerWalletAuthRoutes(api, routeDeps, wallet);
    registerDepositRoutes(api, routeDeps, wallet);
    registerRecentBlockhashRoute(api, wallet);
    registerSessionRenewalRoute(api, routeDeps, wallet.sessionTtlMs);
    registerAccountOverviewRoutes(api, routeDeps);
    registerRecentGenerationsRoute(api, routeDeps);
    const chatRoutes = { gateway: chat.gateway, access: inference, clock, keepAliveMs: streamKeepAliveMs };
    registerChatRoutes(api, chatRoutes);
    registerCompletionRoutes(api, chatRoutes);
    registerResponsesRoutes(api, chatRoutes);
    registerEmbeddingsRoutes(api, { gateway: chat.gateway, access: inference, catalog: chat.catalog, clock });
    await registerMessagesRoutes(api, chatRoutes);
    registerModelRoutes(api, { catalog: chat.catalog, health: chat.health, nowMs: epochMs(clock) });
    registerModelLookupRoutes(api, {
      catalog: chat.catalog,
      preHandler: requireKey(services.keys, ["inference", "management"]),
      byokProviders: async (request) =>
        new Set(byokStore ? (await byokStore.list(callerKey(request).accountId)).map((summary) => summary.provider) : []),
    });
    registerGenerationRoutes(api, { generations: chat.generations, keys: services.keys });
    registerDatasetRoutes(api, { db: database.db, now: clock });
    registerUsageInsightRoutes(api, routeDeps, {
      byokStore,
      providerSlugs: [...chat.catalog.providers.keys()],
      providerName: (slug) => chat.catalog.providers.get(slug)?.name ?? slug,
    });
  };
  for (const prefix of API_PREFIXES) await app.register(registerApi, { prefix });
  await registerDashboard(app, dashboardRoot);
  await app.ready();
  return app;
}
