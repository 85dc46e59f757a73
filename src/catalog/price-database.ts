/**
 * The maintained price database the shipped catalog is built from: @pydantic/genai-prices
 * (https://github.com/pydantic/genai-prices), its data bundled in the npm package, so no network
 * is needed at run time. `catalog.update_prices: daily` replaces it with the project's published
 * data.json of the same shape (see workers/price-update.ts).
 */
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type * as GenaiPrices from "@pydantic/genai-prices";
import type { MatchLogic, ModelInfo, Provider as DatabaseProvider } from "@pydantic/genai-prices";
import { installedPackageVersion } from "../domain/installed-package.js";
import { cachedProviders } from "./bundled-price-cache.js";

export type { DatabaseProvider, MatchLogic, ModelInfo };

/** A snapshot of the database: its providers, and where it came from (shown as each price's source). */
export interface PriceData {
  providers: readonly DatabaseProvider[];
  /** "genai-prices (bundled)" or "genai-prices (updated 2026-11-30)". */
  label: string;
}

/** The database's provider ids the catalog reads (the shipped providers and the canonical id list). */
export const CANONICAL_PROVIDER_ID = "openrouter";

/** The data bundled with the installed package, for the given database provider ids (plus the canonical list). */
export function bundledPriceData(providerIds: readonly string[], cacheDir = BUNDLED_CACHE_DIR): PriceData {
  const ids = [...new Set([...providerIds, CANONICAL_PROVIDER_ID])];
  const providers = cachedProviders(cacheDir, installedPackageVersion("@pydantic/genai-prices"), ids, () =>
    withPackage(({ findProvider }) => ids.flatMap((id) => findProvider({ providerId: id }) ?? [])),
  );
  return { providers, label: "genai-prices (bundled)" };
}

/** Where the bundled data's answers are kept (bundled-price-cache.ts). */
const BUNDLED_CACHE_DIR = fileURLToPath(new URL("../../dist/price-data", import.meta.url));


/**
 * Runs `read` with the package loaded, then lets it go. The package is its data (≈2 MB of heap
 * while loaded, more for its source), read only when what a catalog needs from it is not kept yet
 * (bundled-price-cache.ts). An ES module import would keep it for the process's life, so its
 * CommonJS build is required by a require function made for this call and removed from the
 * require cache afterwards.
 */
function withPackage<T>(read: (pkg: typeof GenaiPrices) => T): T {
  const require = createRequire(import.meta.url);
  const id = require.resolve("@pydantic/genai-prices");
  try {
    return read(require(id) as typeof GenaiPrices);
  } finally {
    delete require.cache[id];
  }
}

/** Whether `text` satisfies the database's match rule (its own semantics: case-insensitive except regex). */
export function matchesLogic(logic: MatchLogic, text: string): boolean {
  const lower = text.toLowerCase();
  if ("or" in logic) return logic.or.some((inner) => matchesLogic(inner, text));
  if ("and" in logic) return logic.and.every((inner) => matchesLogic(inner, text));
  if ("equals" in logic) return lower === logic.equals.toLowerCase();
  if ("starts_with" in logic) return lower.startsWith(logic.starts_with.toLowerCase());
  if ("ends_with" in logic) return lower.endsWith(logic.ends_with.toLowerCase());
  if ("contains" in logic) return lower.includes(logic.contains.toLowerCase());
  return new RegExp(logic.regex).test(text);
}

/** Every literal (`equals`) id a match rule names, in order. */
export function literalIds(logic: MatchLogic): string[] {
  if ("or" in logic) return logic.or.flatMap(literalIds);
  if ("and" in logic) return logic.and.flatMap(literalIds);
  return "equals" in logic ? [logic.equals] : [];
}

/** The id to send upstream for a database model: its own id when its rule accepts it, else the rule's first literal. */
export function upstreamIdOf(model: ModelInfo): string | undefined {
  if (matchesLogic(model.match, model.id)) return model.id;
  return literalIds(model.match)[0];
}
