import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from "fastify";
import { envelopeServerOptions, registerErrorHandling } from "./http/errors.js";
import { registerAuth } from "./http/plugins/auth.js";
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
import { registerWalletAuthRoutes } from "./http/routes/wallet-auth.js";
import { walletRouteDeps } from "./http/routes/wallet-deps.js";
import { registerChatRoutes } from "./http/routes/chat-completions.js";
import { registerGenerationRoutes } from "./http/routes/generation.js";
import { registerModelRoutes } from "./http/routes/models.js";
import { registerUsageInsightRoutes } from "./http/routes/usage-insights.js";
import type { Services } from "./wiring/services.js";

/** What the app is built from: the wired services (wiring/services.ts) and HTTP-only settings. */
export interface AppDeps {
  services: Services;
  /** How long a stream waits for its upstream before SSE keep-alive comments start (ms). */
  streamKeepAliveMs?: number;
}

/** Largest accepted request body: room for a few base64 images in a chat request. */
export const BODY_LIMIT_BYTES = 16 * 1024 * 1024;

/** Builds the HTTP app with every plugin and route registered. It never listens: main.ts does. */
export async function buildApp({ services, streamKeepAliveMs }: AppDeps): Promise<FastifyInstance> {
  const { config, database, clock, chat, redis } = services;
  const logger: FastifyBaseLogger = services.logger;
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: BODY_LIMIT_BYTES,
    // one line per request, written by the request-log plugin
    logController: new LogController({ disableRequestLogging: true }),
    forceCloseConnections: "idle",
    return503OnClosing: true,
    ...envelopeServerOptions,
    trustProxy: config.server.trust_proxy,
    ...serverTimeouts(config.server),
  });
  const routeDeps: RouteDeps = { config, db: database.db, clock, keys: services.keys };
  registerErrorHandling(app);
  registerRequestLog(app);
  await registerAnonymousRateLimit(app, config.server.rate_limits, redis);
  // Per-key limits are counted in Redis when there is one (every process shares the budget), else in this process.
  registerKeyRateLimit(app, redis ? new RedisRequestCounter(redis) : new MemoryRequestCounter(), () => clock().getTime());
  registerAuth(app);
  registerHealthRoutes(app, database);
  registerKeyRoutes(app, routeDeps);
  registerKeyRateLimitRoutes(app, routeDeps);
  registerCreditRoutes(app, routeDeps);
  registerAdminRoutes(app, routeDeps);
  const wallet = walletRouteDeps(config, services.chains);
  registerWalletAuthRoutes(app, routeDeps, wallet);
  registerDepositRoutes(app, routeDeps, wallet);
  app.addHook("onClose", () => services.close());
  registerChatRoutes(app, { gateway: chat.gateway, keys: services.keys, clock, keepAliveMs: streamKeepAliveMs });
  registerModelRoutes(app, { catalog: chat.catalog, health: chat.health, nowMs: () => clock().getTime() });
  registerGenerationRoutes(app, { generations: chat.generations, keys: services.keys });
  registerUsageInsightRoutes(app, routeDeps, {
    byokStore: services.byokStore,
    metrics: services.metricsRegistry,
    providerSlugs: [...chat.catalog.providers.keys()],
  });
  await app.ready();
  return app;
}
