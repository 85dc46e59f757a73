/**
 * The effective catalog as text for the operator (`npm run catalog`): each model with its
 * endpoints, prices in USD per million tokens (long-context tiers included), context and output
 * limits, where each value came from, and whether the provider has a key. `missing` keeps only
 * the endpoints that cannot serve: no price, or no key.
 */
import type { PriceTier, Pricing } from "../domain/charge.js";
import { nanoToUsdString } from "../domain/money.js";
import type { Catalog, Endpoint, ModelKind } from "./types.js";

/** What stops an endpoint from serving, or an empty list. */
export function endpointGaps(endpoint: Endpoint): string[] {
  return [
    ...(endpoint.priced ? [] : [`no price (set models[].endpoints[].pricing or providers.${endpoint.provider.slug}.pricing: free)`]),
    ...(endpoint.provider.apiKey === undefined ? [`no key (set providers.${endpoint.provider.slug}.api_key)`] : []),
  ];
}

function perMillion(pricing: Pricing | PriceTier): string {
  const parts: string[] = [];
  const add = (label: string, nano: bigint | undefined) => nano !== undefined && parts.push(`${label} $${nanoToUsdString(nano)}`);
  add("in", pricing.promptNanoPerMillion);
  add("out", pricing.completionNanoPerMillion);
  add("cache read", pricing.cacheReadNanoPerMillion);
  add("cache write", pricing.cacheWriteNanoPerMillion);
  return parts.join(", ");
}

function endpointLines(endpoint: Endpoint, kind: ModelKind): string[] {
  const key = endpoint.provider.apiKey === undefined ? "no key" : "key configured";
  const price = endpoint.priced ? `${perMillion(endpoint.pricing)} per million tokens` : "no known price";
  const tiers = (endpoint.pricing.tiers ?? []).map((tier) => `      above ${tier.abovePromptTokens} prompt tokens: ${perMillion(tier)}`);
  const s = endpoint.sources;
  return [
    `  - ${endpoint.provider.slug} (${endpoint.upstreamModel}) [${key}]`,
    `      price: ${price}  [${s.pricing}]`,
    ...tiers,
    `      context: ${endpoint.contextLength}  [${s.context_length}]`,
    // an embedding model produces vectors, no output tokens
    ...(kind === "embeddings" ? [] : [`      max output: ${endpoint.outputLimitKnown ? endpoint.maxCompletionTokens : "unknown"}  [${s.max_completion_tokens}]`]),
    `      input: ${endpoint.inputModalities?.join(", ") ?? "unknown"}  [${s.input_modalities}]`,
    `      parameters: ${endpoint.supportedParameters.length}  [${s.supported_parameters}]`,
  ];
}

/** The report; `missing` lists only models with an endpoint lacking a price or a key. */
export function catalogReport(catalog: Catalog, options: { missing?: boolean } = {}): string {
  const lines: string[] = [];
  let models = 0;
  let endpoints = 0;
  for (const model of [...catalog.models.values()].sort((a, b) => a.id.localeCompare(b.id))) {
    if (options.missing) {
      const gaps = model.endpoints.flatMap((endpoint) => endpointGaps(endpoint).map((gap) => `  - ${endpoint.provider.slug}: ${gap}`));
      if (gaps.length === 0) continue;
      lines.push(model.id, ...gaps);
    } else {
      const kind = model.kind === "embeddings" ? " (embeddings: billed per input token)" : "";
      lines.push(`${model.id} — ${model.name}${kind}`, ...model.endpoints.flatMap((endpoint) => endpointLines(endpoint, model.kind)));
    }
    models += 1;
    endpoints += model.endpoints.length;
  }
  lines.push(options.missing ? `${models} models with an endpoint missing a price or a key` : `${models} models, ${endpoints} endpoints`);
  return `${lines.join("\n")}\n`;
}
