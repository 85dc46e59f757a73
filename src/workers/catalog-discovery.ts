/**
 * Discovery (`providers.<slug>.models: auto`): at start and every hour, list each such
 * provider's models and rebuild the catalog with them, so a model added upstream is served
 * within the hour without a release. A provider that cannot be listed keeps its last good
 * listing (or none) and the catalog keeps serving the shipped models; the log says which.
 * fetch and the clock are injected; nothing starts until `runCatalogDiscovery` is called.
 */
import type { LiveCatalog } from "../catalog/live-catalog.js";
import type { ListedModel } from "../domain/listed-model.js";
import type { Protocol } from "../domain/protocols.js";
import { runEvery } from "./run-every.js";

/** Lists one upstream's models (the protocol folders' listers, passed in by main.ts). */
export type Lister = (
  target: { baseUrl: string; apiKey: string | undefined; headers: Record<string, string> },
  fetch: typeof globalThis.fetch,
  signal: AbortSignal,
) => Promise<ListedModel[]>;

/** What discovery logs through. */
export interface DiscoveryLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface CatalogDiscoveryOptions {
  catalog: LiveCatalog;
  listers: Readonly<Record<Protocol, Lister>>;
  fetch: typeof globalThis.fetch;
  signal: AbortSignal;
  log: DiscoveryLog;
  /** Time between passes; an hour by default. */
  intervalMs?: number;
  /** Longest one listing may take. */
  timeoutMs?: number;
  now?: () => Date;
}

/** What one pass did, per provider. */
export interface DiscoveryPass {
  listed: Record<string, number>;
  failed: Record<string, string>;
  models: { before: number; after: number };
}

export const DISCOVERY_INTERVAL_MS = 60 * 60 * 1000;
const LISTING_TIMEOUT_MS = 15_000;

/** Discovery state across passes: the last good listing of each provider. */
export function createCatalogDiscovery(options: CatalogDiscoveryOptions) {
  const lastGood: Record<string, ListedModel[]> = {};

  /** Lists every `models: auto` provider once and swaps the rebuilt catalog in. */
  async function pass(): Promise<DiscoveryPass> {
    const result: DiscoveryPass = { listed: {}, failed: {}, models: { before: options.catalog.models.size, after: 0 } };
    const targets = [...options.catalog.providers.values()].filter((provider) => provider.discover);
    await Promise.all(
      targets.map(async (provider) => {
        const signal = AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs ?? LISTING_TIMEOUT_MS)]);
        try {
          const models = await options.listers[provider.protocol](provider, options.fetch, signal);
          lastGood[provider.slug] = models;
          result.listed[provider.slug] = models.length;
        } catch (error) {
          const reason = error instanceof Error ? (error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message) : String(error);
          result.failed[provider.slug] = reason;
          const kept = lastGood[provider.slug]?.length ?? 0;
          options.log.warn(
            { provider: provider.slug, base_url: provider.baseUrl, error: reason, kept_models: kept },
            kept > 0
              ? `discovery: could not list ${provider.slug}'s models; keeping its last listing of ${kept} models`
              : `discovery: could not list ${provider.slug}'s models; serving the shipped catalog without them until it answers`,
          );
        }
      }),
    );
    if (options.signal.aborted) return result;
    options.catalog.update({ discovered: { ...lastGood }, ...(options.now ? { now: options.now() } : {}) });
    result.models.after = options.catalog.models.size;
    if (targets.length > 0) options.log.info({ listed: result.listed, failed: Object.keys(result.failed), models: result.models }, "discovery: catalog updated");
    return result;
  }

  return { pass };
}

/** Runs discovery now and every `intervalMs` until `signal` aborts. */
export function runCatalogDiscovery(options: CatalogDiscoveryOptions): Promise<void> {
  const discovery = createCatalogDiscovery(options);
  return runEvery(options.intervalMs ?? DISCOVERY_INTERVAL_MS, options.signal, async () => {
    await discovery.pass();
  }, (error) => options.log.warn({ err: error }, "discovery pass failed; the catalog is unchanged"));
}
