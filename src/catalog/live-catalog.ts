/**
 * The catalog a running process serves: an immutable snapshot that discovery and price updates
 * replace whole (a request keeps the snapshot it started with). Readers see the current
 * snapshot's `models` and `providers`; `update` rebuilds from the same configuration with new
 * discovered models or new price data, so the config file keeps overriding everything.
 */
import { buildCatalog } from "./build-catalog.js";
import type { Catalog, CatalogInput, Model } from "./types.js";

/** Replaceable parts of the catalog input. */
export type CatalogChange = Partial<Pick<CatalogInput, "discovered" | "priceData" | "now">>;

/** A catalog whose snapshot can be replaced at run time. */
export class LiveCatalog implements Catalog {
  private input: CatalogInput;
  private current: Catalog;

  /** Builds the first snapshot; throws CatalogError like buildCatalog. */
  constructor(input: CatalogInput) {
    this.input = input;
    this.current = buildCatalog(input);
  }

  get models(): Catalog["models"] {
    return this.current.models;
  }

  get providers(): Catalog["providers"] {
    return this.current.providers;
  }

  /** The input the current snapshot was built from. */
  get built(): Readonly<CatalogInput> {
    return this.input;
  }

  /** Rebuilds with `change` applied and swaps the snapshot in; returns the previous one. */
  update(change: CatalogChange): Catalog {
    const next: CatalogInput = { ...this.input, ...change };
    const catalog = buildCatalog(next);
    const previous = this.current;
    this.input = next;
    this.current = catalog;
    return previous;
  }
}

/** A model a request can be served by without the caller's own key: a priced endpoint whose provider has a key. */
export function isUsable(model: Model): boolean {
  return model.endpoints.some((endpoint) => endpoint.priced && endpoint.provider.apiKey !== undefined);
}
