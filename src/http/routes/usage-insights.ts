/**
 * Wires the BYOK, activity, rankings and metrics routes into the app with the app's own key
 * checks: /activity and /byok take a management key (reference §4), /rankings and /metrics
 * are public.
 */
import type { FastifyInstance } from "fastify";
import type { ByokStore } from "../../byok/store.js";
import { DEFAULT_PROVIDERS } from "../../catalog/default-providers.js";
import { MetricsRegistry } from "../../metrics/registry.js";
import { callerKey, requireKey } from "../plugins/auth.js";
import { registerAnalyticsRoutes } from "./analytics.js";
import { registerByokRoutes } from "./byok.js";
import type { RouteDeps } from "./deps.js";
import { registerMetricsRoute } from "./metrics.js";

/** Provider slugs a key may be stored for: the shipped catalog's and the config file's providers. */
function knownProviders(deps: RouteDeps, extra: readonly string[]): (slug: string) => boolean {
  const slugs = new Set([...Object.keys(DEFAULT_PROVIDERS), ...Object.keys(deps.config.providers), ...extra]);
  return (slug) => slugs.has(slug);
}

/** Registers the routes; `providerSlugs` adds catalog providers not in the config file. */
export function registerUsageInsightRoutes(
  app: FastifyInstance,
  deps: RouteDeps,
  options: { byokStore?: ByokStore | undefined; metrics?: MetricsRegistry | undefined; providerSlugs?: readonly string[] },
): void {
  const management = requireKey(deps.keys, ["management"]);
  const authenticate = async (request: Parameters<typeof callerKey>[0]) => {
    const key = callerKey(request);
    return { accountId: key.accountId, keyId: key.id };
  };
  registerAnalyticsRoutes(app, { db: deps.db, preHandler: management, authenticate, now: deps.clock });
  registerByokRoutes(app, {
    store: options.byokStore,
    preHandler: management,
    authenticate,
    isKnownProvider: knownProviders(deps, options.providerSlugs ?? []),
  });
  registerMetricsRoute(app, { registry: options.metrics ?? new MetricsRegistry() });
}
