/**
 * The shipped chat models: every chat model the price database lists for the catalog's providers,
 * one entry per canonical id with one endpoint per provider. Prices, names and context windows
 * come from the database; what it does not publish (output limits, input modalities) is left to
 * discovery and the config file, and each endpoint says where each value came from.
 */
import { CanonicalIds, ownId } from "./canonical-ids.js";
import { pricesAt, pricingFromDatabase } from "./database-pricing.js";
import { isEmbeddingModelName } from "./embedding-models.js";
import { CANONICAL_PROVIDER_ID, matchesLogic, upstreamIdOf, type PriceData } from "./price-database.js";
import type { EndpointInput, ModelInput, Provider } from "./types.js";

interface Collected {
  model: ModelInput;
  /** Provider slug → whether its endpoint matched the canonical id without dropping a suffix. */
  exact: Map<string, boolean>;
}

/** The shipped models built from `data` for every provider that has a `priceDatabaseId`. */
export function databaseModels(data: PriceData, providers: ReadonlyMap<string, Provider>, now: Date): ModelInput[] {
  const canonical = new CanonicalIds(data.providers.find((p) => p.id === CANONICAL_PROVIDER_ID)?.models ?? []);
  const collected = new Map<string, Collected>();
  for (const provider of providers.values()) {
    const source = data.providers.find((p) => p.id === provider.priceDatabaseId);
    if (!source) continue;
    for (const info of source.models) {
      // embedding models are shipped by embedding-models.ts, never as chat models
      if (info.deprecated || isEmbeddingModelName(info.id)) continue;
      const pricing = pricingFromDatabase(pricesAt(info, now));
      const upstream = upstreamIdOf(info);
      // a provider entry may also list models it resells under another API (Vertex's Claude)
      if (!pricing || !upstream || (source.model_match && !matchesLogic(source.model_match, upstream))) continue;
      const match = canonical.resolve(upstream, provider.author) ?? canonical.resolve(info.id, provider.author);
      const id = match?.id ?? ownId(upstream, provider.author ?? provider.slug);
      const entry = match ? canonical.entries.get(match.id) : undefined;
      const contextLength = info.context_window ?? entry?.context_window;
      const endpoint: EndpointInput = {
        provider: provider.slug,
        model: upstream,
        pricing,
        ...(contextLength === undefined ? {} : { context_length: contextLength }),
        price_source: source.pricing_urls?.[0] ?? "https://github.com/pydantic/genai-prices",
        sources: {
          pricing: `${data.label}: ${source.id}/${info.id}`,
          context_length: info.context_window !== undefined ? data.label : entry?.context_window !== undefined ? `${data.label}: ${entry.id}` : "unknown",
        },
      };
      const fresh: ModelInput = { id, name: entry?.name ?? info.name ?? id, description: info.description ?? entry?.description ?? "", endpoints: [] };
      const seen = collected.get(id) ?? { model: fresh, exact: new Map<string, boolean>() };
      collected.set(id, seen);
      const exact = match?.exact ?? true;
      const previous = seen.exact.get(provider.slug);
      if (previous === undefined) seen.model.endpoints!.push(endpoint);
      else if (exact && !previous) seen.model.endpoints = seen.model.endpoints!.map((e) => (e.provider === provider.slug ? endpoint : e));
      else continue;
      seen.exact.set(provider.slug, exact);
    }
  }
  return [...collected.values()].map((entry) => entry.model);
}
