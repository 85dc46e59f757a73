/**
 * Models found by discovery (`models: auto`) → catalog entries. Each takes its canonical id
 * (merging with the shipped entry of the same model, so one model lists every provider) and its
 * price from, in order: the upstream's own listing when it is OpenRouter-compatible, the price
 * database's entry for that provider, or nothing, in which case the model is listed but refused
 * until the operator prices it or marks the provider free.
 */
import { CanonicalIds, ownId } from "./canonical-ids.js";
import { pricesAt, pricingFromDatabase } from "./database-pricing.js";
import { isEmbeddingModelName } from "./embedding-models.js";
import { CANONICAL_PROVIDER_ID, matchesLogic, type PriceData } from "./price-database.js";
import type { ListedModel } from "../domain/listed-model.js";
import type { EndpointInput, InputModality, ModelInput, Provider } from "./types.js";

const MODALITIES: readonly string[] = ["text", "image", "audio", "file"] satisfies InputModality[];

/** Catalog entries for every provider's discovered models. */
export function discoveredModels(
  found: Readonly<Record<string, readonly ListedModel[]>>,
  providers: ReadonlyMap<string, Provider>,
  data: PriceData,
  now: Date,
): ModelInput[] {
  const canonical = new CanonicalIds(data.providers.find((p) => p.id === CANONICAL_PROVIDER_ID)?.models ?? []);
  const byId = new Map<string, ModelInput>();
  for (const [slug, models] of Object.entries(found)) {
    const provider = providers.get(slug);
    if (!provider) continue;
    const database = data.providers.find((p) => p.id === provider.priceDatabaseId);
    const origin = `discovery: ${slug}`;
    for (const listed of models) {
      const id = canonical.resolve(listed.id, provider.author)?.id ?? ownId(listed.id, provider.author ?? slug);
      const known = database?.models.find((info) => matchesLogic(info.match, listed.id));
      const databasePricing = known ? pricingFromDatabase(pricesAt(known, now)) : undefined;
      const pricing = listed.pricing ?? databasePricing;
      const pricingSource = listed.pricing ? `${origin} (its listed price)` : databasePricing ? `${data.label}: ${database!.id}/${known!.id}` : undefined;
      const modalities = listed.inputModalities?.filter((m): m is InputModality => MODALITIES.includes(m));
      const endpoint: EndpointInput = {
        provider: slug,
        model: listed.id,
        ...(pricing ? { pricing } : {}),
        ...(listed.contextLength ? { context_length: listed.contextLength } : known?.context_window ? { context_length: known.context_window } : {}),
        ...(listed.maxCompletionTokens ? { max_completion_tokens: listed.maxCompletionTokens } : {}),
        ...(modalities && modalities.length > 0 ? { input_modalities: modalities } : {}),
        ...(listed.supportedParameters ? { supported_parameters: listed.supportedParameters } : {}),
        ...(database?.pricing_urls?.[0] && !listed.pricing && databasePricing ? { price_source: database.pricing_urls[0] } : {}),
        // only what discovery set is attributed to it; a shipped endpoint keeps the rest's sources
        sources: {
          ...(pricingSource ? { pricing: pricingSource } : {}),
          ...(listed.contextLength ? { context_length: origin } : known?.context_window ? { context_length: data.label } : {}),
          ...(listed.maxCompletionTokens ? { max_completion_tokens: origin } : {}),
          ...(modalities && modalities.length > 0 ? { input_modalities: origin } : {}),
          ...(listed.supportedParameters ? { supported_parameters: origin } : {}),
        },
      };
      const model = byId.get(id) ?? { id, ...(isEmbeddingModelName(listed.id) ? { kind: "embeddings" as const } : {}), name: listed.name ?? canonical.entries.get(id)?.name ?? id, description: listed.description ?? "", endpoints: [] };
      if (listed.created && model.created === undefined) model.created = listed.created;
      if (!model.endpoints!.some((existing) => existing.provider === slug)) model.endpoints!.push(endpoint);
      byId.set(id, model);
    }
  }
  return [...byId.values()];
}
