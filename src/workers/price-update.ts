/**
 * `catalog.update_prices: daily`: once a day, fetch the price database's published data
 * (@pydantic/genai-prices' data.json), validate it, rebuild the catalog with it, and report every
 * endpoint whose price changed in the log and in /metrics. Off unless the operator opts in: by
 * default farebox makes no network call for prices. A failed or malformed download leaves the
 * prices in force unchanged.
 */
import type { LiveCatalog } from "../catalog/live-catalog.js";
import { parsePriceData } from "../catalog/price-data-schema.js";
import type { Catalog } from "../catalog/types.js";
import { nanoToUsdString } from "../domain/money.js";
import type { MetricsRegistry } from "../metrics/registry.js";
import { runEvery } from "./run-every.js";

export const PRICE_UPDATE_INTERVAL_MS = 24 * 60 * 60 * 1000;

/**
 * Where the price database publishes its data (the package's REMOTE_DATA_JSON_URL, copied so a
 * running process need not keep the package loaded: see catalog/price-database.ts).
 */
export const PRICE_DATA_URL = "https://raw.githubusercontent.com/pydantic/genai-prices/main/prices/new_data/v2/data.json";

export interface PriceUpdateOptions {
  catalog: LiveCatalog;
  fetch: typeof globalThis.fetch;
  signal: AbortSignal;
  log: { info(fields: object, message: string): void; warn(fields: object, message: string): void };
  metrics: MetricsRegistry;
  now: () => Date;
  url?: string;
  intervalMs?: number;
}

/** One endpoint's price before and after, USD per million tokens. */
export interface PriceChange {
  endpoint: string;
  before: string;
  after: string;
}

function priceLine(catalog: Catalog): Map<string, string> {
  const out = new Map<string, string>();
  for (const model of catalog.models.values()) {
    for (const endpoint of model.endpoints) {
      const p = endpoint.pricing;
      const tiers = (p.tiers ?? []).map((t) => ` >${t.abovePromptTokens}: ${t.promptNanoPerMillion ?? "-"}/${t.completionNanoPerMillion ?? "-"}`).join("");
      out.set(endpoint.id, endpoint.priced ? `in ${nanoToUsdString(p.promptNanoPerMillion)} out ${nanoToUsdString(p.completionNanoPerMillion)}${tiers}` : "unpriced");
    }
  }
  return out;
}

/** Every endpoint whose price differs between two snapshots (added and removed endpoints included). */
export function priceChanges(before: Catalog, after: Catalog): PriceChange[] {
  const old = priceLine(before);
  const next = priceLine(after);
  const changes: PriceChange[] = [];
  for (const id of new Set([...old.keys(), ...next.keys()])) {
    const a = old.get(id) ?? "absent";
    const b = next.get(id) ?? "absent";
    if (a !== b) changes.push({ endpoint: id, before: a, after: b });
  }
  return changes;
}

/** The update's state and metrics; `pass` downloads and applies once. */
export function createPriceUpdate(options: PriceUpdateOptions) {
  const changed = options.metrics.counter("farebox_catalog_price_changes_total", "Endpoint prices changed by price database updates.");
  const updatedAt = options.metrics.gauge("farebox_catalog_prices_updated_timestamp_seconds", "When prices were last updated from the price database (Unix seconds).");
  const failures = options.metrics.counter("farebox_catalog_price_update_failures_total", "Price database downloads that failed or did not validate.");

  async function pass(): Promise<PriceChange[]> {
    const url = options.url ?? PRICE_DATA_URL;
    let providers;
    try {
      const response = await options.fetch(url, { signal: AbortSignal.any([options.signal, AbortSignal.timeout(60_000)]) });
      if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
      providers = parsePriceData(await response.json());
    } catch (error) {
      failures.inc();
      options.log.warn({ err: error, url }, "price update: could not load the price database; prices unchanged");
      return [];
    }
    const now = options.now();
    let before;
    try {
      before = options.catalog.update({ priceData: { providers, label: `genai-prices (updated ${now.toISOString().slice(0, 10)})` }, now });
    } catch (error) {
      // e.g. a price that is not an exact decimal: the whole update is refused, never rounded
      failures.inc();
      options.log.warn({ err: error, url }, "price update: the price database's data does not build a valid catalog; prices unchanged");
      return [];
    }
    const changes = priceChanges(before, options.catalog);
    changed.inc({}, changes.length);
    updatedAt.set({}, Math.floor(now.getTime() / 1000));
    options.log.info({ changes: changes.slice(0, 200), changed: changes.length }, `price update: ${changes.length} endpoint prices changed`);
    return changes;
  }

  return { pass };
}

/** Updates prices now and every day until `signal` aborts. */
export function runPriceUpdate(options: PriceUpdateOptions): Promise<void> {
  const update = createPriceUpdate(options);
  return runEvery(options.intervalMs ?? PRICE_UPDATE_INTERVAL_MS, options.signal, async () => {
    await update.pass();
  }, (error) => options.log.warn({ err: error }, "price update failed; prices unchanged"));
}
