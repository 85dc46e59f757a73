/**
 * Wires the BYOK, activity and rankings routes into the app with the app's own key checks:
 * /activity and /byok take a management key (reference §4), /rankings is public.
 */
import type { FastifyInstance } from "fastify";
import type { ByokStore } from "../../byok/store.js";
import { DEFAULT_PROVIDERS } from "../../catalog/default-providers.js";
import { accountKeyNames } from "../../keys/index.js";
import { callerKey, requireKey } from "../plugins/auth.js";
import { registerAnalyticsRoutes } from "./analytics.js";
import { registerByokRoutes } from "./byok.js";
import type { RouteDeps } from "./deps.js";

/** Provider slugs a key may be stored for: the shipped catalog's and the config file's providers. */
function knownProviders(deps: RouteDeps, extra: readonly string[]): ReadonlySet<string> {
  return new Set([...Object.keys(DEFAULT_PROVIDERS), ...Object.keys(deps.config.providers), ...extra]);
}

/** Registers the routes; `providerSlugs` adds catalog providers not in the config file. */
export function registerUsageInsightRoutes(
  app: FastifyInstance,
  deps: RouteDeps,
  options: { byokStore?: ByokStore | undefined; providerSlugs?: readonly string[]; providerName?: (slug: string) => string },
): void {
  const management = requireKey(deps.keys, ["management"]);
  const authenticate = async (request: Parameters<typeof callerKey>[0]) => {
    const key = callerKey(request);
    return { accountId: key.accountId, keyId: key.id };
  };
  registerAnalyticsRoutes(app, {
    db: deps.db,
    preHandler: management,
    authenticate,
    now: deps.clock,
    keyNames: (accountId, ids) => accountKeyNames(deps.db, accountId, ids),
    ...(options.providerName ? { providerName: options.providerName } : {}),
  });
  registerByokRoutes(app, {
    store: options.byokStore,
    preHandler: management,
    authenticate,
    providers: knownProviders(deps, options.providerSlugs ?? []),
  });
}
