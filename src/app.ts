import Fastify, { type FastifyInstance } from "fastify";
import type { Config } from "./config/schema.js";
import type { Database } from "./db/client.js";
import { registerErrorHandling } from "./http/errors.js";
import { registerAuth } from "./http/plugins/auth.js";
import { registerAdminRoutes } from "./http/routes/admin.js";
import { registerCreditRoutes } from "./http/routes/credits.js";
import type { RouteDeps } from "./http/routes/deps.js";
import { registerHealthRoutes } from "./http/routes/health.js";
import { registerKeyRoutes } from "./http/routes/keys.js";
import { registerDepositRoutes } from "./http/routes/deposits.js";
import { registerWalletAuthRoutes } from "./http/routes/wallet-auth.js";
import { walletRouteDeps } from "./http/routes/wallet-deps.js";
import { createChainRuntime, withSolana, type ChainRuntime } from "./deposits/runtime.js";
import { KeyResolver } from "./keys/index.js";

export interface AppDeps {
  config: Config;
  database: Database;
  clock?: () => Date;
  keys?: KeyResolver;
  /** Chain clients and deposit runtimes; built from config when absent (main.ts shares one with the listeners). */
  chains?: ChainRuntime;
}

/** Largest accepted request body: room for a few base64 images in a chat request. */
export const BODY_LIMIT_BYTES = 16 * 1024 * 1024;

/** Builds the HTTP app with every plugin and route registered. It never listens: main.ts does. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: deps.config.logLevel, redact: ["req.headers.authorization"] },
    bodyLimit: BODY_LIMIT_BYTES,
    forceCloseConnections: "idle",
    return503OnClosing: true,
  });
  const clock = deps.clock ?? (() => new Date());
  const routeDeps: RouteDeps = {
    config: deps.config,
    db: deps.database.db,
    clock,
    keys: deps.keys ?? new KeyResolver(deps.database.db, { clock }),
  };
  registerErrorHandling(app);
  registerAuth(app);
  registerHealthRoutes(app, deps.database);
  registerKeyRoutes(app, routeDeps);
  registerCreditRoutes(app, routeDeps);
  registerAdminRoutes(app, routeDeps);
  const chains = deps.chains ?? withSolana(createChainRuntime(deps.config.chains.evm, clock), deps.config.chains.solana, clock);
  const wallet = walletRouteDeps(deps.config, chains);
  registerWalletAuthRoutes(app, routeDeps, wallet);
  registerDepositRoutes(app, routeDeps, wallet);
  await app.ready();
  return app;
}
